package org.cam.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;
import javax.imageio.ImageIO;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.awt.image.BufferedImage;
import java.io.IOException;
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
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged services as a user meets them: one simulated device, management-api and session-broker run as
 * processes from the reactor's jars, on the shared MariaDB (a database of their own) and slapd. A device is
 * discovered and approved, its channels granted to an LDAP group, and an LDAP user of that group opens a session
 * that a stock VNC client (vncsnapshot) uses through the broker with the one-time password.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SessionEndToEndIT {
    static {
        // management-api's self-signed certificate names no address we can verify; trust-all below covers the chain.
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEVICE_ADDRESS = "127.0.77.1";
    private static final int DEVICE_HTTPS = 19443;
    private static final int DEVICE_KVM = 15900;
    private static final String DATABASE = "cam_e2e";
    private static final String ADMIN_PASSWORD = "e2e-admin-Pw1";
    private static final String BROKER_TOKEN = "e2e-broker-token";
    private static final String DISCOVERY_TOKEN = "e2e-discovery-token";
    private static final String USER = "uma";
    private static final String USER_PASSWORD = "camdemo";
    /** Service start-up on a loaded two-core machine: generous, and only a bound, never an expectation. */
    private static final Duration START = Duration.ofMinutes(3);

    private static final List<ServiceProcess> processes = new ArrayList<>();
    private static volatile boolean failed;
    private static Path work;
    private static HttpClient http;
    private static String managementUrl;
    private static String brokerAdminUrl;
    private static int brokerPlainPort;
    private static ServiceProcess device;

    // Facts the ordered steps hand on.
    private static String deviceMac;
    private static long deviceId;
    private static final List<Long> targetIds = new ArrayList<>();
    private static String controlSessionId;

    @RegisterExtension
    static final TestWatcher WATCHER = new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
            failed = true;
        }
    };

    @BeforeAll
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    static void startServices() throws Exception {
        try {
            start();
        } catch (Throwable t) {
            failed = true;
            throw t;
        }
    }

    private static void start() throws Exception {
        Path root = Path.of(System.getProperty("cam.root.dir", "..")).toAbsolutePath().normalize();
        String buildDir = System.getProperty("cam.build.dir", "target");
        Path simulatorJar = root.resolve("device-simulator").resolve(buildDir).resolve("device-simulator.jar");
        Path managementJar = root.resolve("management-api").resolve(buildDir).resolve("quarkus-app/quarkus-run.jar");
        Path brokerJar = root.resolve("session-broker").resolve(buildDir).resolve("quarkus-app/quarkus-run.jar");
        for (Path jar : List.of(simulatorJar, managementJar, brokerJar)) {
            assertThat(jar).as("packaged by the reactor before this module").isRegularFile();
        }
        work = Files.createTempDirectory("cam-e2e");
        http = HttpClient.newBuilder().sslContext(trustAll()).connectTimeout(Duration.ofSeconds(5)).build();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        // The device first: it starts in seconds, and its ready line carries what discovery would report.
        device = launch("device-simulator", Map.of(), List.of(java, "-Xmx128m", "-jar", simulatorJar.toString(),
                "--count", "1", "--first-address", DEVICE_ADDRESS, "--channels", "3", "--discovery", "manual",
                "--manager", "127.0.0.1:" + freePort(), "--https-port", String.valueOf(DEVICE_HTTPS),
                "--kvm-port", String.valueOf(DEVICE_KVM), "--state-dir", work.resolve("devices").toString()));

        recreateDatabase();
        int httpsPort = freePort();
        Path mgmtDir = Files.createDirectories(work.resolve("management-api"));
        int rfbPort = freePort();
        int rfbTlsPort = freePort();
        int wsPort = freePort();
        int brokerAdminPort = freePort();
        brokerPlainPort = rfbPort;
        Map<String, String> mgmtEnv = new HashMap<>();
        mgmtEnv.put("CAM_MANAGEMENT_HOST", "127.0.0.1");
        mgmtEnv.put("CAM_MANAGEMENT_HTTPS_PORT", String.valueOf(httpsPort));
        mgmtEnv.put("CAM_MANAGEMENT_HTTP_PORT", String.valueOf(freePort()));
        mgmtEnv.put("CAM_MANAGEMENT_TLS_KEYSTORE", mgmtDir.resolve("tls.p12").toString());
        mgmtEnv.put("CAM_DB_PRIMARY_URL", "jdbc:mysql://" + dbHost() + ":" + dbPort() + "/" + DATABASE);
        mgmtEnv.put("CAM_MANAGEMENT_SECRETS_KEY_FILE", mgmtDir.resolve("secrets.key").toString());
        mgmtEnv.put("CAM_MANAGEMENT_JWT_DIR", mgmtDir.resolve("jwt").toString());
        mgmtEnv.put("CAM_TICKET_PRIVATE_KEY", mgmtDir.resolve("ticket-private.pem").toString());
        mgmtEnv.put("CAM_TICKET_PUBLIC_KEY", mgmtDir.resolve("ticket-public.pem").toString());
        mgmtEnv.put("CAM_MANAGEMENT_ADMIN_PASSWORD", ADMIN_PASSWORD);
        mgmtEnv.put("CAM_BROKER_MANAGEMENT_TOKEN", BROKER_TOKEN);
        mgmtEnv.put("CAM_DISCOVERY_TOKEN", DISCOVERY_TOKEN);
        mgmtEnv.put("CAM_REPLICATION_MONITOR_TOKEN", "e2e-replication-token");
        mgmtEnv.put("CAM_DEVICE_AUTO_APPROVE_SUBNETS", "");
        mgmtEnv.put("CAM_BROKER_RFB", "127.0.0.1:" + rfbPort);
        mgmtEnv.put("CAM_BROKER_RFB_TLS", "127.0.0.1:" + rfbTlsPort);
        mgmtEnv.put("CAM_BROKER_WEBSOCKET_URL", "wss://127.0.0.1:" + wsPort + "/");
        ServiceProcess management = launch("management-api", mgmtEnv,
                List.of(java, "-Xmx384m", "-jar", managementJar.toString()));
        managementUrl = "https://127.0.0.1:" + httpsPort;

        awaitDeviceReady();
        awaitReady(management, managementUrl + "/q/health/ready");
        Path ticketKey = mgmtDir.resolve("ticket-public.pem");
        assertThat(ticketKey).as("ticket public key written by management-api").isRegularFile();
        Path managementCertificate = mgmtDir.resolve("tls.crt.pem");
        assertThat(managementCertificate).as("TLS certificate PEM written by management-api").isRegularFile();

        Map<String, String> brokerEnv = new HashMap<>();
        brokerEnv.put("CAM_BROKER_ID", "e2e-broker-1");
        brokerEnv.put("CAM_BROKER_HOST", "127.0.0.1");
        brokerEnv.put("CAM_BROKER_ADMIN_HOST", "127.0.0.1");
        brokerEnv.put("CAM_BROKER_ADMIN_PORT", String.valueOf(brokerAdminPort));
        brokerEnv.put("CAM_BROKER_PLAIN_PORT", String.valueOf(rfbPort));
        brokerEnv.put("CAM_BROKER_TLS_PORT", String.valueOf(rfbTlsPort));
        brokerEnv.put("CAM_BROKER_WEBSOCKET_PORT", String.valueOf(wsPort));
        brokerEnv.put("CAM_MANAGEMENT_URL", managementUrl);
        brokerEnv.put("CAM_BROKER_MANAGEMENT_TOKEN", BROKER_TOKEN);
        brokerEnv.put("CAM_BROKER_TICKET_KEY_FILE", ticketKey.toString());
        brokerEnv.put("CAM_BROKER_DRAIN_GRACE", "2s");
        brokerEnv.put("CAM_BROKER_SHUTDOWN_TIMEOUT", "10s");
        ServiceProcess broker = launch("session-broker", brokerEnv,
                // management-api's self-signed certificate (localhost, 127.0.0.1), as PEM next to its key store: the
                // broker trusts exactly it through its TLS configuration "management", host names verified, as in
                // the demo.
                List.of(java, "-Xmx256m",
                        "-Dquarkus.tls.management.trust-store.pem.certs=" + managementCertificate,
                        "-jar", brokerJar.toString()));
        brokerAdminUrl = "http://127.0.0.1:" + brokerAdminPort;
        // Readiness includes a heartbeat answered by management-api: the broker is wired to it.
        awaitReady(broker, brokerAdminUrl + "/q/health/ready");
    }

    @AfterAll
    static void stopServices() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
        if (failed) {
            for (ServiceProcess p : processes) {
                System.err.println("==== last lines of " + p.name + " (" + p.log + ") ====\n" + p.tail(80));
            }
        } else if (work != null) {
            // Logs, keys and device state are kept for a failed run only.
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not delete " + work + ": " + e);
            }
        }
    }

    @Test
    @Order(1)
    void discoveredDeviceIsApprovedAndItsThreeChannelsBecomeTargets() throws Exception {
        Matcher m = Pattern.compile("device 1 ready: name=(\\S+) id=(\\S+) serial=(\\S+) .* sha256=([0-9a-f]{64})")
                .matcher(device.output());
        assertThat(m.find()).as("simulator ready line").isTrue();
        deviceMac = m.group(2);
        JsonNode status = JSON.readTree(send(HttpRequest.newBuilder(URI.create("https://" + DEVICE_ADDRESS + ":"
                + DEVICE_HTTPS + "/api/v1/status")).header("Authorization", basic("cam", "cam-bootstrap")).GET(), 200));

        Map<String, Object> notice = new HashMap<>();
        notice.put("deviceId", deviceMac);
        notice.put("version", System.currentTimeMillis() * 1000);
        notice.put("serial", m.group(3));
        notice.put("model", text(status, "model", "CAM-SIM-KVM"));
        notice.put("firmwareVersion", text(status, "firmwareVersion", text(status, "firmware", "1.0.0")));
        notice.put("name", m.group(1));
        notice.put("address", DEVICE_ADDRESS);
        notice.put("httpsPort", DEVICE_HTTPS);
        notice.put("kvmPortFirst", DEVICE_KVM);
        notice.put("kvmPortLast", DEVICE_KVM + 2);
        notice.put("channelCount", 3);
        notice.put("bootCounter", status.path("bootCounter").asInt(1));
        notice.put("certificateFingerprint", m.group(4));
        notice.put("sourceAddress", DEVICE_ADDRESS);
        notice.put("heardVia", "SCAN_REPLY");
        notice.put("firstSeen", Instant.now().toString());
        notice.put("lastSeen", Instant.now().toString());
        JsonNode applied = JSON.readTree(send(request("/api/v1/internal/discoveries", "Bearer " + DISCOVERY_TOKEN)
                .header("Content-Type", "application/json").POST(body(notice)), 200));
        assertThat(applied.path("status").asText()).isEqualTo("applied");

        JsonNode found = items(JSON.readTree(send(admin("/api/v1/devices?q=" + deviceMac).GET(), 200)));
        assertThat(found).hasSize(1);
        deviceId = found.get(0).path("id").asLong();
        assertThat(found.get(0).path("state").asText()).isEqualTo("DISCOVERED");

        int approve = http.send(admin("/api/v1/devices/" + deviceId + "/approve")
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
        assertThat(approve).isBetween(200, 299);
        JsonNode managed = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> JSON.readTree(send(admin("/api/v1/devices/" + deviceId).GET(), 200)),
                        d -> "MANAGED".equals(d.path("state").asText()));
        for (JsonNode channel : managed.path("channels")) {
            targetIds.add(channel.path("targetId").asLong());
        }
        assertThat(targetIds).hasSize(3).doesNotContain(0L);
        for (int c = 0; c < 3; c++) {
            JsonNode target = JSON.readTree(send(admin("/api/v1/targets/" + targetIds.get(c)).GET(), 200));
            assertThat(target.path("host").asText()).isEqualTo(DEVICE_ADDRESS);
            assertThat(target.path("port").asInt()).isBetween(DEVICE_KVM, DEVICE_KVM + 2);
        }
    }

    @Test
    @Order(2)
    void ldapGroupIsGrantedFullControlOnATargetSet() throws Exception {
        assertThat(targetIds).as("targets from the previous step").hasSize(3);
        // Before the grant uma sees nothing.
        assertThat(items(JSON.readTree(send(as(USER, USER_PASSWORD, "/api/v1/me/targets").GET(), 200)))).isEmpty();

        long setId = JSON.readTree(send(admin("/api/v1/target-sets")
                .header("Content-Type", "application/json").POST(body(Map.of("name", "e2e-lab", "description", "system test"))), 201)).path("id").asLong();
        for (long t : targetIds) {
            assertThat(http.send(admin("/api/v1/target-sets/" + setId + "/targets/" + t)
                    .PUT(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding())
                    .statusCode()).isBetween(200, 299);
        }
        send(admin("/api/v1/ldap/sync").POST(HttpRequest.BodyPublishers.noBody()), 200);
        long groupId = -1;
        for (JsonNode g : items(JSON.readTree(send(admin("/api/v1/groups?q=cam-users").GET(), 200)))) {
            if ("cam-users".equals(g.path("name").asText())) {
                groupId = g.path("id").asLong();
            }
        }
        assertThat(groupId).as("LDAP group cam-users after sync").isPositive();
        send(admin("/api/v1/grants").header("Content-Type", "application/json").POST(body(Map.of("groupId", groupId, "targetSetId", setId,
                "accessLevel", "FULL_CONTROL"))), 201);

        JsonNode mine = items(JSON.readTree(send(as(USER, USER_PASSWORD, "/api/v1/me/targets").GET(), 200)));
        List<Long> visible = new ArrayList<>();
        mine.forEach(t -> visible.add(t.path("id").asLong()));
        assertThat(visible).containsExactlyInAnyOrderElementsOf(targetIds);
    }

    @Test
    @Order(3)
    void userOpensASessionAndAStockVncClientSeesTheDeviceThroughTheBroker() throws Exception {
        ensureVncsnapshot();
        JsonNode opened = JSON.readTree(send(as(USER, USER_PASSWORD, "/api/v1/sessions")
                .header("Content-Type", "application/json").POST(body(Map.of("targetId", targetIds.get(0), "mode", "control"))), 201));
        controlSessionId = opened.path("sessionId").asText();
        assertThat(controlSessionId).isNotBlank();
        assertThat(opened.path("ticket").asText()).isNotBlank();
        assertThat(opened.path("rfb").asText()).isEqualTo("127.0.0.1:" + brokerPlainPort);
        assertThat(opened.path("websocketUrl").asText()).startsWith("wss://127.0.0.1:");
        String password = opened.path("vncPassword").asText();
        assertThat(password).hasSize(8);

        Path passwd = vncpasswd(password);
        Path image = work.resolve("channel1.jpg");
        SnapshotResult first = vncsnapshot(passwd, image);
        assertThat(first.exit).as(first.log).isZero();
        BufferedImage img = ImageIO.read(image.toFile());
        assertThat(img.getWidth()).isEqualTo(1024);
        assertThat(img.getHeight()).isEqualTo(768);

        // The password was for one session: it is spent now.
        Path again = work.resolve("again.jpg");
        SnapshotResult second = vncsnapshot(passwd, again);
        assertThat(second.exit).as(second.log).isNotZero();
        assertThat(again).doesNotExist();

        // vncsnapshot has gone: the broker reports the end with byte counts.
        JsonNode ended = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> JSON.readTree(send(as(USER, USER_PASSWORD, "/api/v1/sessions/" + controlSessionId)
                        .GET(), 200)), s -> "ENDED".equals(s.path("state").asText()));
        assertThat(ended.path("user").asText()).isEqualTo(USER);
        assertThat(ended.path("mode").asText()).isEqualToIgnoringCase("control");
        assertThat(ended.path("bytesFromDevice").asLong()).as("a 1024x768 screen went through")
                .isGreaterThan(10_000);
        assertThat(ended.path("bytesFromClient").asLong()).isPositive();

        List<String> mine = new ArrayList<>();
        items(JSON.readTree(send(as(USER, USER_PASSWORD, "/api/v1/sessions").GET(), 200)))
                .forEach(s -> mine.add(s.path("id").asText()));
        assertThat(mine).contains(controlSessionId);
    }

    @Test
    @Order(4)
    void viewSessionKeysAreDroppedWhileTheControllersKeysReachTheDevice() throws Exception {
        // Channel 2, not yet typed on: its "keys:" line is empty.
        long target = targetIds.get(1);
        String viewPassword = JSON.readTree(send(as(USER, USER_PASSWORD, "/api/v1/sessions")
                .header("Content-Type", "application/json").POST(body(Map.of("targetId", target, "mode", "view"))), 201)).path("vncPassword").asText();
        try (RfbViewer viewer = new RfbViewer("127.0.0.1", brokerPlainPort, viewPassword)) {
            assertThat(viewer.width).isEqualTo(1024);
            int baseline = keysLineInkEnd(viewer.refresh(), viewer.width);
            assertThat(baseline).as("the 'keys:' label is drawn").isPositive();
            for (int i = 0; i < 5; i++) {
                viewer.type('x');
            }
            // Same connection, in order: had the keys been forwarded, the device would have drawn them already.
            assertThat(keysLineInkEnd(viewer.refresh(), viewer.width)).as("view-only keys changed nothing")
                    .isEqualTo(baseline);

            String controlPassword = JSON.readTree(send(as(USER, USER_PASSWORD, "/api/v1/sessions")
                    .header("Content-Type", "application/json").POST(body(Map.of("targetId", target, "mode", "control"))), 201)).path("vncPassword").asText();
            try (RfbViewer controller = new RfbViewer("127.0.0.1", brokerPlainPort, controlPassword)) {
                controller.type('1');
                int afterOne = keysLineInkEnd(controller.refresh(), controller.width);
                controller.type('1');
                int afterTwo = keysLineInkEnd(controller.refresh(), controller.width);
                int advance = afterTwo - afterOne;
                assertThat(advance).as("one monospaced character").isPositive();
                // "keys:" + two spaces + "1": about three characters past the label, not eight (five x's and "1").
                assertThat(afterOne - baseline).isBetween(2 * advance, 4 * advance - 1);
                // And the viewer sees the controller's typing.
                assertThat(keysLineInkEnd(viewer.refresh(), viewer.width)).isEqualTo(afterTwo);
            }
        }
    }

    @Test
    @Order(5)
    void auditLogRecordsTheSessionLifecycle() throws Exception {
        assertThat(controlSessionId).as("session from step 3").isNotNull();
        JsonNode events = JSON.readTree(send(admin("/api/v1/audit-events?objectId=" + controlSessionId + "&size=100")
                .GET(), 200));
        List<String> actions = new ArrayList<>();
        for (JsonNode e : items(events)) {
            actions.add(e.path("action").asText() + "/" + e.path("outcome").asText());
        }
        assertThat(actions).contains("SESSION_REQUEST/SUCCESS", "SESSION_CLAIM/SUCCESS", "SESSION_END/SUCCESS");
        JsonNode requests = items(JSON.readTree(send(admin("/api/v1/audit-events?action=SESSION_REQUEST&objectId="
                + controlSessionId).GET(), 200)));
        assertThat(requests.get(0).path("actor").asText()).isEqualTo(USER);
        JsonNode approvals = items(JSON.readTree(send(admin("/api/v1/audit-events?action=DEVICE_APPROVE").GET(), 200)));
        assertThat(approvals.size()).isPositive();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** Rightmost column with the keys line's colour (0x06d6a0) in rows 236..268, or -1. */
    private static int keysLineInkEnd(int[] fb, int width) {
        int end = -1;
        for (int y = 236; y <= 268; y++) {
            for (int x = 0; x < width; x++) {
                int p = fb[y * width + x];
                int r = p >> 16 & 0xff;
                int g = p >> 8 & 0xff;
                int b = p & 0xff;
                if (Math.abs(r - 0x06) < 24 && Math.abs(g - 0xd6) < 24 && Math.abs(b - 0xa0) < 24 && x > end) {
                    end = x;
                }
            }
        }
        return end;
    }

    private record SnapshotResult(int exit, String log) { }

    private static SnapshotResult vncsnapshot(Path passwd, Path out) throws Exception {
        Process p = new ProcessBuilder("vncsnapshot", "-quiet", "-passwd", passwd.toString(),
                "127.0.0.1::" + brokerPlainPort, out.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("vncsnapshot finished").isTrue();
        return new SnapshotResult(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static void ensureVncsnapshot() throws Exception {
        Path script = Path.of(System.getProperty("cam.root.dir", "..")).resolve("scripts/ensure-packages.sh");
        Process p = new ProcessBuilder("bash", script.toString(), "vncsnapshot=vncsnapshot").inheritIO().start();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(p.exitValue()).as("vncsnapshot installed").isZero();
    }

    /** A vncpasswd file: the password DES-encrypted under VNC's fixed key (bits of each key byte reversed). */
    private static Path vncpasswd(String password) throws Exception {
        byte[] fixed = {23, 82, 107, 6, 35, 78, 88, 7};
        byte[] key = new byte[8];
        for (int i = 0; i < 8; i++) {
            key[i] = (byte) (Integer.reverse(fixed[i] & 0xff) >>> 24);
        }
        Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
        des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "DES"));
        return Files.write(work.resolve("passwd"),
                des.doFinal(Arrays.copyOf(password.getBytes(StandardCharsets.ISO_8859_1), 8)));
    }

    private static ServiceProcess launch(String name, Map<String, String> env, List<String> command)
            throws IOException {
        ServiceProcess p = ServiceProcess.start(name, work, env, command);
        processes.add(p);
        return p;
    }

    private static void awaitDeviceReady() {
        await("device-simulator ready").atMost(START).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertThat(device.alive()).as("device-simulator running").isTrue();
            return device.output().contains("fleet ready");
        });
    }

    private static void awaitReady(ServiceProcess p, String url) {
        await(p.name + " ready").atMost(START).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            assertThat(p.alive()).as(p.name + " running").isTrue();
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        });
        assertThat(p.alive()).as(p.name + " running").isTrue();
    }

    private static void recreateDatabase() throws Exception {
        String user = env("CAM_DB_ADMIN_USER", "camadmin");
        String password = env("CAM_DB_ADMIN_PASSWORD", "camadmin");
        try (Connection c = DriverManager.getConnection("jdbc:mysql://" + dbHost() + ":" + dbPort() + "/", user,
                password); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE);
            s.execute("CREATE DATABASE " + DATABASE);
        }
    }

    private static String dbHost() {
        return env("CAM_DB_PRIMARY_HOST", "127.0.0.1");
    }

    private static String dbPort() {
        return env("CAM_DB_PRIMARY_PORT", "13306");
    }

    private static String env(String name, String def) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? def : v;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static HttpRequest.Builder request(String path, String authorization) {
        return HttpRequest.newBuilder(URI.create(managementUrl + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", authorization).header("Accept", "application/json");
    }

    private static HttpRequest.Builder admin(String path) {
        return request(path, basic("admin", ADMIN_PASSWORD));
    }

    private static HttpRequest.Builder as(String user, String password, String path) {
        return request(path, basic(user, password));
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private static HttpRequest.BodyPublisher body(Object value) throws IOException {
        return HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(value));
    }

    private static String send(HttpRequest.Builder request, int expected) throws Exception {
        HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.request().method() + " " + r.uri() + " -> " + r.body()).isEqualTo(expected);
        return r.body();
    }

    private static JsonNode items(JsonNode page) {
        return page.has("items") ? page.get("items") : page;
    }

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
