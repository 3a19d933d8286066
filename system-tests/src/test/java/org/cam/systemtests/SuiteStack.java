package org.cam.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cam.testsupport.tls.TestCertificate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One simulated device, management-api and session-broker started as processes from the reactor's jars, on the shared
 * MariaDB (a database of the test's own, created afresh) and slapd, wired as in the demo; and the REST steps the
 * system tests share. Registered as a JUnit extension ({@code @RegisterExtension static}): the test class calls
 * {@link #start()} from its {@code @BeforeAll}; after all its tests every process is stopped (SIGTERM, SIGKILL after
 * 30 s), and when anything failed each process's last 80 log lines are printed and the work folder is kept.
 */
final class SuiteStack implements AfterAllCallback, TestWatcher {
    static {
        // management-api's self-signed certificate names no address we can verify; trust-all below covers the chain.
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    }

    static final ObjectMapper JSON = new ObjectMapper();
    static final String DEMO_PASSWORD = "camdemo";
    /** Service start-up on a loaded two-core machine: generous, and only a bound, never an expectation. */
    private static final Duration START = Duration.ofMinutes(3);

    /**
     * What differs between system tests, so that several can run in one build: {@code name} prefixes the work
     * folder, secrets and broker id; the device's address and ports and the database are the test's own.
     */
    record Spec(String name, String deviceAddress, int deviceHttpsPort, int deviceKvmPort, int channels,
                String database, List<String> simulatorArgs) {
        String adminPassword() {
            return name + "-admin-Pw1";
        }

        String brokerToken() {
            return name + "-broker-token";
        }

        /** What the broker's admin API takes (Authorization: Bearer). */
        String brokerAdminToken() {
            return name + "-broker-admin-token";
        }

        String discoveryToken() {
            return name + "-discovery-token";
        }
    }

    final Spec spec;
    private final List<ServiceProcess> processes = new ArrayList<>();
    private volatile boolean failed;
    private Path root;
    private Path work;
    private HttpClient http;
    private String managementUrl;
    private int brokerPlainPort;
    private int brokerTlsPort;
    private int brokerAdminPort;
    private TestCertificate brokerCertificate;
    private ServiceProcess device;
    private ServiceProcess broker;
    private String dbAdminHostPort = dbHostPort();
    private String dbAppHostPort = dbHostPort();
    private final Map<String, String> managementEnv = new HashMap<>();
    private final Map<String, String> brokerEnv = new HashMap<>();
    private int brokerReplicas = 1;
    private final List<BrokerReplica> brokers = new ArrayList<>();
    private String javaBin;
    private Path brokerJar;

    /** One session-broker process of the stack, with the ports it listens on; restartable. */
    static final class BrokerReplica {
        final int n;
        final String id;
        final int plain;
        final int tls;
        final int websocket;
        final int admin;
        final Map<String, String> env = new HashMap<>();
        volatile ServiceProcess process;
        /** Starts so far: each start logs to a file of its own. */
        int starts;

        BrokerReplica(int n, String id, int plain, int tls, int websocket, int admin) {
            this.n = n;
            this.id = id;
            this.plain = plain;
            this.tls = tls;
            this.websocket = websocket;
            this.admin = admin;
        }
    }

    SuiteStack(Spec spec) {
        this.spec = spec;
    }

    /**
     * The database of this stack elsewhere than the shared pair: {@code adminHostPort} is where the test's database
     * is created (the primary itself), {@code appHostPort} is where management-api connects (e.g. HAProxy). Before
     * {@link #start()}.
     */
    SuiteStack database(String adminHostPort, String appHostPort) {
        this.dbAdminHostPort = adminHostPort;
        this.dbAppHostPort = appHostPort;
        return this;
    }

    /** More environment for management-api (e.g. where the peers a test starts will listen). Before {@link #start()}. */
    SuiteStack managementEnv(Map<String, String> env) {
        managementEnv.putAll(env);
        return this;
    }

    /** More environment for session-broker (e.g. a shorter recording segment interval). Before {@link #start()}. */
    SuiteStack brokerEnv(Map<String, String> env) {
        brokerEnv.putAll(env);
        return this;
    }

    /**
     * {@code n} session-broker replicas behind the demo's broker-proxy (scripts/broker-proxy.sh: HAProxy, least
     * connections, readiness checks, PROXY protocol), as a Kubernetes Service spreads them; management-api tells
     * clients the proxy's ports. Before {@link #start()}.
     */
    SuiteStack brokerReplicas(int n) {
        this.brokerReplicas = n;
        return this;
    }

    /**
     * The certificate (with its key) the broker presents on its TLS ports (VeNCrypt on the RFB TLS port, the
     * WebSocket), instead of the self-signed one it makes at start; a client can then check it against its issuer.
     * Before {@link #start()}.
     */
    SuiteStack brokerCertificate(TestCertificate certificate) {
        this.brokerCertificate = certificate;
        return this;
    }

    /**
     * Another process of the test's own (a database router, a monitor), started now, stopped with the stack's and
     * its log shown like theirs on failure.
     */
    ServiceProcess launchExtra(String name, Map<String, String> env, List<String> command) throws IOException {
        if (work == null) {
            work = Files.createTempDirectory("cam-" + spec.name());
        }
        return launch(name, env, command);
    }

    /** Starts the three services and waits for each one's readiness; a failure here is reported like a test's. */
    void start() throws Exception {
        try {
            startServices();
        } catch (Throwable t) {
            failed = true;
            throw t;
        }
    }

    private void startServices() throws Exception {
        root = Path.of(System.getProperty("cam.root.dir", "..")).toAbsolutePath().normalize();
        String buildDir = System.getProperty("cam.build.dir", "target");
        Path simulatorJar = root.resolve("device-simulator").resolve(buildDir).resolve("device-simulator.jar");
        Path managementJar = root.resolve("management-api").resolve(buildDir).resolve("quarkus-app/quarkus-run.jar");
        Path brokerJar = root.resolve("session-broker").resolve(buildDir).resolve("quarkus-app/quarkus-run.jar");
        for (Path jar : List.of(simulatorJar, managementJar, brokerJar)) {
            assertThat(jar).as("packaged by the reactor before this module").isRegularFile();
        }
        if (work == null) {
            work = Files.createTempDirectory("cam-" + spec.name());
        }
        // A bound, not an expectation: the connect timeout covers the TLS handshake, which took over 5 s on a 2-core
        // machine with a load average above 30.
        http = HttpClient.newBuilder().sslContext(trustAll()).connectTimeout(Duration.ofSeconds(30)).build();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        javaBin = java;
        this.brokerJar = brokerJar;

        // The device first: it starts in seconds, and its ready line carries what discovery would report.
        List<String> simulator = new ArrayList<>(List.of(java, "-Xmx128m", "-jar", simulatorJar.toString(),
                "--count", "1", "--first-address", spec.deviceAddress(), "--channels", String.valueOf(spec.channels()),
                "--discovery", "manual", "--manager", "127.0.0.1:" + freePort(),
                "--https-port", String.valueOf(spec.deviceHttpsPort()),
                "--kvm-port", String.valueOf(spec.deviceKvmPort()), "--state-dir", work.resolve("devices").toString()));
        simulator.addAll(spec.simulatorArgs());
        device = launch("device-simulator", Map.of(), simulator);

        recreateDatabase();
        int httpsPort = freePort();
        Path mgmtDir = Files.createDirectories(work.resolve("management-api"));
        int rfbPort = freePort();
        int rfbTlsPort = freePort();
        int wsPort = freePort();
        int brokerAdminPort = freePort();
        brokerPlainPort = rfbPort;
        brokerTlsPort = rfbTlsPort;
        this.brokerAdminPort = brokerAdminPort;
        Map<String, String> mgmtEnv = new HashMap<>();
        mgmtEnv.put("CAM_MANAGEMENT_HOST", "127.0.0.1");
        mgmtEnv.put("CAM_MANAGEMENT_HTTPS_PORT", String.valueOf(httpsPort));
        mgmtEnv.put("CAM_MANAGEMENT_HTTP_PORT", String.valueOf(freePort()));
        mgmtEnv.put("CAM_MANAGEMENT_TLS_KEYSTORE", mgmtDir.resolve("tls.p12").toString());
        // The tests' devices and RFB servers live on loopback addresses, which production refuses as targets.
        mgmtEnv.put("CAM_TARGETS_ALLOW_LOOPBACK", "true");
        mgmtEnv.put("CAM_DB_PRIMARY_URL", "jdbc:mysql://" + dbAppHostPort + "/" + spec.database());
        mgmtEnv.put("CAM_MANAGEMENT_SECRETS_KEY_FILE", mgmtDir.resolve("secrets.key").toString());
        mgmtEnv.put("CAM_MANAGEMENT_JWT_DIR", mgmtDir.resolve("jwt").toString());
        mgmtEnv.put("CAM_TICKET_PRIVATE_KEY", mgmtDir.resolve("ticket-private.pem").toString());
        mgmtEnv.put("CAM_TICKET_PUBLIC_KEY", mgmtDir.resolve("ticket-public.pem").toString());
        mgmtEnv.put("CAM_MANAGEMENT_ADMIN_PASSWORD", spec.adminPassword());
        mgmtEnv.put("CAM_BROKER_MANAGEMENT_TOKEN", spec.brokerToken());
        mgmtEnv.put("CAM_DISCOVERY_TOKEN", spec.discoveryToken());
        mgmtEnv.put("CAM_REPLICATION_MONITOR_TOKEN", spec.name() + "-replication-token");
        mgmtEnv.put("CAM_DEVICE_AUTO_APPROVE_SUBNETS", "");
        mgmtEnv.put("CAM_BROKER_RFB", "127.0.0.1:" + rfbPort);
        mgmtEnv.put("CAM_BROKER_RFB_TLS", "127.0.0.1:" + rfbTlsPort);
        mgmtEnv.put("CAM_BROKER_WEBSOCKET_URL", "wss://127.0.0.1:" + wsPort + "/");
        mgmtEnv.putAll(managementEnv);
        ServiceProcess management = launch("management-api", mgmtEnv,
                List.of(java, "-Xmx384m", "-jar", managementJar.toString()));
        managementUrl = "https://127.0.0.1:" + httpsPort;

        await("device-simulator ready").atMost(START).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertThat(device.alive()).as("device-simulator running").isTrue();
            return device.output().contains("fleet ready");
        });
        awaitReady(management, managementUrl + "/q/health/ready");
        Path ticketKey = mgmtDir.resolve("ticket-public.pem");
        assertThat(ticketKey).as("ticket public key written by management-api").isRegularFile();
        Path managementCertificate = mgmtDir.resolve("tls.crt.pem");
        assertThat(managementCertificate).as("TLS certificate PEM written by management-api").isRegularFile();

        Map<String, String> common = new HashMap<>();
        common.put("CAM_BROKER_HOST", "127.0.0.1");
        common.put("CAM_BROKER_ADMIN_HOST", "127.0.0.1");
        common.put("CAM_MANAGEMENT_URL", managementUrl);
        common.put("CAM_BROKER_MANAGEMENT_TOKEN", spec.brokerToken());
        common.put("CAM_BROKER_ADMIN_TOKEN", spec.brokerAdminToken());
        common.put("CAM_BROKER_TICKET_KEY_FILE", ticketKey.toString());
        common.put("CAM_BROKER_DRAIN_GRACE", "2s");
        common.put("CAM_BROKER_SHUTDOWN_TIMEOUT", "10s");
        if (brokerCertificate != null) {
            Path brokerDir = Files.createDirectories(work.resolve("session-broker"));
            common.put("CAM_BROKER_TLS_CERT", Files.writeString(brokerDir.resolve("tls.crt.pem"),
                    brokerCertificate.pem()).toString());
            common.put("CAM_BROKER_TLS_KEY", Files.writeString(brokerDir.resolve("tls.key.pem"),
                    brokerCertificate.keyPem()).toString());
        }
        if (brokerReplicas == 1) {
            brokers.add(new BrokerReplica(1, spec.name() + "-broker-1", rfbPort, rfbTlsPort, wsPort, brokerAdminPort));
        } else {
            List<String> backends = new ArrayList<>();
            for (int n = 1; n <= brokerReplicas; n++) {
                BrokerReplica b = new BrokerReplica(n, spec.name() + "-broker-" + n, freePort(), freePort(),
                        freePort(), n == 1 ? brokerAdminPort : freePort());
                // Behind the proxy: the PROXY protocol header names the client (the address claims carry).
                b.env.put("CAM_BROKER_PROXY_PROTOCOL", "true");
                brokers.add(b);
                backends.add(b.plain + "," + b.tls + "," + b.websocket + "," + b.admin);
            }
            launch("broker-proxy", Map.of("CAM_BROKER_PROXY_STATE", work.resolve("broker-proxy").toString(),
                    "CAM_BROKER_PROXY_PORTS", rfbPort + " " + rfbTlsPort + " " + wsPort,
                    "CAM_BROKER_PROXY_BACKENDS", String.join(" ", backends)),
                    List.of("bash", root.resolve("scripts/broker-proxy.sh").toString()));
        }
        for (BrokerReplica b : brokers) {
            b.env.putAll(common);
            b.env.put("CAM_BROKER_ID", b.id);
            b.env.put("CAM_BROKER_ADMIN_PORT", String.valueOf(b.admin));
            b.env.put("CAM_BROKER_PLAIN_PORT", String.valueOf(b.plain));
            b.env.put("CAM_BROKER_TLS_PORT", String.valueOf(b.tls));
            b.env.put("CAM_BROKER_WEBSOCKET_PORT", String.valueOf(b.websocket));
            b.env.putAll(this.brokerEnv);
            launchBroker(b);
        }
        for (BrokerReplica b : brokers) {
            // Readiness includes a heartbeat answered by management-api: the broker is wired to it.
            awaitReady(b.process, "http://127.0.0.1:" + b.admin + "/q/health/ready");
        }
        broker = brokers.get(0).process;
    }

    private void launchBroker(BrokerReplica b) throws IOException {
        String name = (brokers.size() == 1 ? "session-broker" : "session-broker-" + b.n)
                + (b.starts++ == 0 ? "" : "-start" + b.starts);
        b.process = launch(name, b.env,
                // management-api's self-signed certificate (localhost, 127.0.0.1), as PEM next to its key store: the
                // broker trusts exactly it through its TLS configuration "management", host names verified, as in
                // the demo.
                List.of(javaBin, "-Xmx256m",
                        "-Dquarkus.tls.management.trust-store.pem.certs=" + managementCertificate(),
                        "-jar", brokerJar.toString()));
    }

    /** The broker replicas ({@link #brokerReplicas}), in order. */
    List<BrokerReplica> brokers() {
        return brokers;
    }

    /** The replica whose broker id this is. */
    BrokerReplica broker(String brokerId) {
        return brokers.stream().filter(b -> b.id.equals(brokerId)).findFirst()
                .orElseThrow(() -> new AssertionError("no broker replica " + brokerId));
    }

    /** SIGTERM, as Kubernetes stops a pod: the broker drains, then exits. Returns once it has. */
    void stopBroker(BrokerReplica b) {
        b.process.close();
        assertThat(b.process.alive()).as(b.id + " stopped").isFalse();
    }

    /** SIGKILL: no drain, no end report. */
    void killBroker(BrokerReplica b) throws InterruptedException {
        b.process.kill();
    }

    /** Starts a stopped or killed replica again, on its ports, and waits for its readiness. */
    void startBroker(BrokerReplica b) throws IOException {
        launchBroker(b);
        awaitReady(b.process, "http://127.0.0.1:" + b.admin + "/q/health/ready");
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        failed = true;
    }

    /** Whether start-up or a test has failed so far: the test class's own clean-up may print more then. */
    boolean failed() {
        return failed;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
        if (failed || context.getExecutionException().isPresent()) {
            for (ServiceProcess p : processes) {
                System.err.println("==== last lines of " + p.name + " (" + p.log + ") ====\n" + p.tail(80));
            }
        } else if (work != null) {
            // Logs, keys and device state are kept for a failed run only.
            try (var files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not delete " + work + ": " + e);
            }
        }
    }

    // ---- what the tests use ----------------------------------------------------------------------------------

    /** The checkout, for scripts/ensure-packages.sh. */
    Path root() {
        return root;
    }

    /** A temporary folder of this run, kept when something failed. */
    Path work() {
        return work;
    }

    HttpClient http() {
        return http;
    }

    String managementUrl() {
        return managementUrl;
    }

    /** management-api's self-signed certificate (PEM), for the services that call it to trust exactly it. */
    Path managementCertificate() {
        return work.resolve("management-api").resolve("tls.crt.pem");
    }

    int brokerPlainPort() {
        return brokerPlainPort;
    }

    /** The broker's RFB port with VeNCrypt (9901 in production). */
    int brokerTlsPort() {
        return brokerTlsPort;
    }

    /** The broker's admin API: health, and {@code /api/v1/sessions} with {@link #brokerAdminToken()}. */
    String brokerAdminToken() {
        return spec.brokerAdminToken();
    }

    String brokerAdminUrl() {
        return "http://127.0.0.1:" + brokerAdminPort;
    }

    ServiceProcess device() {
        return device;
    }

    ServiceProcess broker() {
        return broker;
    }

    /** A request to management-api, JSON both ways. */
    HttpRequest.Builder request(String path, String authorization) {
        return HttpRequest.newBuilder(URI.create(managementUrl + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", authorization).header("Accept", "application/json")
                .header("Content-Type", "application/json");
    }

    HttpRequest.Builder admin(String path) {
        return request(path, basic("admin", spec.adminPassword()));
    }

    HttpRequest.Builder as(String user, String password, String path) {
        return request(path, basic(user, password));
    }

    /** The answer's body, after asserting its status. */
    String send(HttpRequest.Builder request, int expected) throws Exception {
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.request().method() + " " + r.uri() + " -> " + r.body()).isEqualTo(expected);
        return r.body();
    }

    JsonNode json(HttpRequest.Builder request, int expected) throws Exception {
        return JSON.readTree(send(request, expected));
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static HttpRequest.BodyPublisher body(Object value) throws IOException {
        return HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(value));
    }

    static HttpRequest.BodyPublisher noBody() {
        return HttpRequest.BodyPublishers.noBody();
    }

    /** A page's items, or the answer itself when it is a plain list. */
    static JsonNode items(JsonNode page) {
        return page.has("items") ? page.get("items") : page;
    }

    // ---- REST steps the system tests share -------------------------------------------------------------------

    /**
     * The device's discovery notice, as discovery-service would forward it (from the simulator's ready line and the
     * device's status), applied by management-api; the device's MAC address.
     */
    String reportDiscovery() throws Exception {
        Matcher m = Pattern.compile("device 1 ready: name=(\\S+) id=(\\S+) serial=(\\S+) .* sha256=([0-9a-f]{64})")
                .matcher(device.output());
        assertThat(m.find()).as("simulator ready line").isTrue();
        String mac = m.group(2);
        JsonNode status = JSON.readTree(send(HttpRequest.newBuilder(URI.create("https://" + spec.deviceAddress() + ":"
                + spec.deviceHttpsPort() + "/api/v1/status")).header("Authorization", basic("cam", "cam-bootstrap"))
                .GET(), 200));
        Map<String, Object> notice = new HashMap<>();
        notice.put("deviceId", mac);
        notice.put("version", System.currentTimeMillis() * 1000);
        notice.put("serial", m.group(3));
        notice.put("model", text(status, "model", "CAM-SIM-KVM"));
        notice.put("firmwareVersion", text(status, "firmwareVersion", text(status, "firmware", "1.0.0")));
        notice.put("name", m.group(1));
        notice.put("address", spec.deviceAddress());
        notice.put("httpsPort", spec.deviceHttpsPort());
        notice.put("kvmPortFirst", spec.deviceKvmPort());
        notice.put("kvmPortLast", spec.deviceKvmPort() + spec.channels() - 1);
        notice.put("channelCount", spec.channels());
        notice.put("bootCounter", status.path("bootCounter").asInt(1));
        notice.put("certificateFingerprint", m.group(4));
        notice.put("sourceAddress", spec.deviceAddress());
        notice.put("heardVia", "SCAN_REPLY");
        notice.put("firstSeen", Instant.now().toString());
        notice.put("lastSeen", Instant.now().toString());
        JsonNode applied = json(request("/api/v1/internal/discoveries", "Bearer " + spec.discoveryToken())
                .POST(body(notice)), 200);
        assertThat(applied.path("status").asText()).isEqualTo("applied");
        return mac;
    }

    /** The admin approves the device; enrolment over pinned HTTPS makes it MANAGED. Its channels' target ids. */
    List<Long> approve(long deviceId) throws Exception {
        send(admin("/api/v1/devices/" + deviceId + "/approve").POST(noBody()), 200);
        JsonNode managed = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> json(admin("/api/v1/devices/" + deviceId).GET(), 200),
                        d -> "MANAGED".equals(d.path("state").asText()));
        List<Long> targetIds = new ArrayList<>();
        managed.path("channels").forEach(c -> targetIds.add(c.path("targetId").asLong()));
        return targetIds;
    }

    /** After an LDAP sync, the group gets the access level on a new target set holding the targets; the set's id. */
    long grant(String group, Collection<Long> targetIds, String accessLevel) throws Exception {
        long setId = json(admin("/api/v1/target-sets").POST(body(Map.of("name", spec.name() + "-lab",
                "description", "system test"))), 201).path("id").asLong();
        for (long t : targetIds) {
            send(admin("/api/v1/target-sets/" + setId + "/targets/" + t).PUT(noBody()), 204);
        }
        send(admin("/api/v1/ldap/sync").POST(noBody()), 200);
        long groupId = -1;
        for (JsonNode g : items(json(admin("/api/v1/groups?q=" + group).GET(), 200))) {
            if (group.equals(g.path("name").asText())) {
                groupId = g.path("id").asLong();
            }
        }
        assertThat(groupId).as("LDAP group " + group + " after sync").isPositive();
        send(admin("/api/v1/grants").POST(body(Map.of("groupId", groupId, "targetSetId", setId,
                "accessLevel", accessLevel))), 201);
        return setId;
    }

    /** Discovery, approval and enrolment, then FULL_CONTROL for cam-users on the channels: their target ids. */
    List<Long> enrolDeviceAndGrantCamUsers() throws Exception {
        String mac = reportDiscovery();
        JsonNode found = items(json(admin("/api/v1/devices?q=" + mac).GET(), 200));
        assertThat(found).hasSize(1);
        List<Long> targetIds = approve(found.get(0).path("id").asLong());
        assertThat(targetIds).hasSize(spec.channels()).doesNotContain(0L);
        grant("cam-users", targetIds, "FULL_CONTROL");
        return targetIds;
    }

    // ---- start-up helpers ------------------------------------------------------------------------------------

    private ServiceProcess launch(String name, Map<String, String> env, List<String> command) throws IOException {
        ServiceProcess p = ServiceProcess.start(name, work, env, command);
        processes.add(p);
        return p;
    }

    void awaitReady(ServiceProcess p, String url) {
        await(p.name + " ready").atMost(START).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            assertThat(p.alive()).as(p.name + " running").isTrue();
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        });
        assertThat(p.alive()).as(p.name + " running").isTrue();
    }

    private void recreateDatabase() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:mysql://" + dbAdminHostPort + "/",
                env("CAM_DB_ADMIN_USER", "camadmin"), env("CAM_DB_ADMIN_PASSWORD", "camadmin"));
             Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + spec.database());
            s.execute("CREATE DATABASE " + spec.database());
            // The application account is granted exact schemas only (scripts/infra.sh), so whoever creates one
            // grants it; '_' is a wildcard in a GRANT's database name.
            s.execute("GRANT ALL PRIVILEGES ON `" + spec.database().replace("_", "\\_") + "`.* TO '"
                    + env("CAM_DB_USER", "cam") + "'@'%'");
        }
    }

    private static String dbHostPort() {
        return env("CAM_DB_PRIMARY_HOST", "127.0.0.1") + ":" + env("CAM_DB_PRIMARY_PORT", "13306");
    }

    static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v;
    }

    /**
     * A port the services this stack launches can bind on loopback. Not one the kernel hands out (the ephemeral range
     * starts at 32768): a port chosen there is free when asked but can become the local port of any outgoing
     * connection (the tests make thousands) before the child process binds it. Below that range only processes that
     * choose a port themselves compete, and they are checked by the bind; each port is given out once per JVM.
     */
    static int freePort() throws IOException {
        for (int attempt = 0; attempt < 1000; attempt++) {
            int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(PORTS_FROM, PORTS_TO);
            if (!GIVEN_OUT.add(port)) {
                continue;
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (IOException inUse) {
                // taken: try another
            }
        }
        throw new IOException("no free loopback port in " + PORTS_FROM + "-" + PORTS_TO);
    }

    // above the fixed ports the system tests choose themselves (24xxx, 27xxx), below the ephemeral range
    private static final int PORTS_FROM = 29_000;
    private static final int PORTS_TO = 32_700;
    private static final java.util.Set<Integer> GIVEN_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static String text(JsonNode node, String field, String def) {
        JsonNode v = node.findValue(field);
        return v == null || !v.isValueNode() ? def : v.asText();
    }

    private static SSLContext trustAll() throws Exception {
        TrustManager[] all = {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) { }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) { }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }};
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, all, null);
        return ctx;
    }
}
