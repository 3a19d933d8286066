package org.cam.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
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

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web UI's in-browser console end to end: one simulated device, management-api and session-broker from the
 * reactor's jars (as SessionEndToEndIT starts them, with addresses, ports and a database of their own), and headless
 * Chromium driven over the DevTools protocol. LDAP user uma logs in to the page served by management-api over HTTPS,
 * opens a control session on channel 1, and the page's own RFB client (js/rfb.js) talks to the device through the
 * broker's WebSocket: the canvas shows the device's 1024x768 screen, keys typed into the canvas appear on the device's
 * "keys" line, Ctrl-Alt-Del reaches it, a view session sends nothing, and an operator's disconnect shows its reason.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BrowserConsoleIT {
    static {
        // management-api's self-signed certificate names no address we can verify; trust-all below covers the chain.
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    // Not SessionEndToEndIT's (127.0.77.1, 19443, 15900, cam_e2e): both may run in one build.
    private static final String DEVICE_ADDRESS = "127.0.78.1";
    private static final int DEVICE_HTTPS = 19543;
    private static final int DEVICE_KVM = 15930;
    private static final String DATABASE = "cam_e2e_ui";
    private static final String ADMIN_PASSWORD = "e2e-ui-admin-Pw1";
    private static final String BROKER_TOKEN = "e2e-ui-broker-token";
    private static final String DISCOVERY_TOKEN = "e2e-ui-discovery-token";
    private static final String USER = "uma";
    private static final String OPERATOR = "otto";
    private static final String DEMO_PASSWORD = "camdemo";
    private static final Duration START = Duration.ofMinutes(3);

    private static final List<ServiceProcess> processes = new ArrayList<>();
    private static volatile boolean failed;
    private static Path root;
    private static Path work;
    private static HttpClient http;
    private static String managementUrl;
    private static ServiceProcess device;
    private static ServiceProcess broker;
    private static final List<Long> targetIds = new ArrayList<>();
    private static Chromium chrome;

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
        root = Path.of(System.getProperty("cam.root.dir", "..")).toAbsolutePath().normalize();
        String buildDir = System.getProperty("cam.build.dir", "target");
        Path simulatorJar = root.resolve("device-simulator").resolve(buildDir).resolve("device-simulator.jar");
        Path managementJar = root.resolve("management-api").resolve(buildDir).resolve("quarkus-app/quarkus-run.jar");
        Path brokerJar = root.resolve("session-broker").resolve(buildDir).resolve("quarkus-app/quarkus-run.jar");
        for (Path jar : List.of(simulatorJar, managementJar, brokerJar)) {
            assertThat(jar).as("packaged by the reactor before this module").isRegularFile();
        }
        work = Files.createTempDirectory("cam-e2e-ui");
        http = HttpClient.newBuilder().sslContext(trustAll()).connectTimeout(Duration.ofSeconds(5)).build();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        device = launch("device-simulator", Map.of(), List.of(java, "-Xmx128m", "-jar", simulatorJar.toString(),
                "--count", "1", "--first-address", DEVICE_ADDRESS, "--channels", "2", "--discovery", "manual",
                "--seed", "78", "--manager", "127.0.0.1:" + freePort(), "--https-port", String.valueOf(DEVICE_HTTPS),
                "--kvm-port", String.valueOf(DEVICE_KVM), "--state-dir", work.resolve("devices").toString()));

        recreateDatabase();
        int httpsPort = freePort();
        Path mgmtDir = Files.createDirectories(work.resolve("management-api"));
        int rfbPort = freePort();
        int rfbTlsPort = freePort();
        int wsPort = freePort();
        int brokerAdminPort = freePort();
        Map<String, String> mgmtEnv = new HashMap<>();
        mgmtEnv.put("CAM_MANAGEMENT_HOST", "127.0.0.1");
        mgmtEnv.put("CAM_MANAGEMENT_HTTPS_PORT", String.valueOf(httpsPort));
        mgmtEnv.put("CAM_MANAGEMENT_HTTP_PORT", String.valueOf(freePort()));
        mgmtEnv.put("CAM_MANAGEMENT_TLS_KEYSTORE", mgmtDir.resolve("tls.p12").toString());
        mgmtEnv.put("CAM_DB_PRIMARY_URL", "jdbc:mysql://" + env("CAM_DB_PRIMARY_HOST", "127.0.0.1") + ":"
                + env("CAM_DB_PRIMARY_PORT", "13306") + "/" + DATABASE);
        mgmtEnv.put("CAM_MANAGEMENT_SECRETS_KEY_FILE", mgmtDir.resolve("secrets.key").toString());
        mgmtEnv.put("CAM_MANAGEMENT_JWT_DIR", mgmtDir.resolve("jwt").toString());
        mgmtEnv.put("CAM_TICKET_PRIVATE_KEY", mgmtDir.resolve("ticket-private.pem").toString());
        mgmtEnv.put("CAM_TICKET_PUBLIC_KEY", mgmtDir.resolve("ticket-public.pem").toString());
        mgmtEnv.put("CAM_MANAGEMENT_ADMIN_PASSWORD", ADMIN_PASSWORD);
        mgmtEnv.put("CAM_BROKER_MANAGEMENT_TOKEN", BROKER_TOKEN);
        mgmtEnv.put("CAM_DISCOVERY_TOKEN", DISCOVERY_TOKEN);
        mgmtEnv.put("CAM_REPLICATION_MONITOR_TOKEN", "e2e-ui-replication-token");
        mgmtEnv.put("CAM_DEVICE_AUTO_APPROVE_SUBNETS", "");
        mgmtEnv.put("CAM_BROKER_RFB", "127.0.0.1:" + rfbPort);
        mgmtEnv.put("CAM_BROKER_RFB_TLS", "127.0.0.1:" + rfbTlsPort);
        mgmtEnv.put("CAM_BROKER_WEBSOCKET_URL", "wss://127.0.0.1:" + wsPort + "/");
        ServiceProcess management = launch("management-api", mgmtEnv,
                List.of(java, "-Xmx384m", "-jar", managementJar.toString()));
        managementUrl = "https://127.0.0.1:" + httpsPort;

        await("device-simulator ready").atMost(START).pollInterval(Duration.ofMillis(250)).until(() -> {
            assertThat(device.alive()).as("device-simulator running").isTrue();
            return device.output().contains("fleet ready");
        });
        awaitReady(management, managementUrl + "/q/health/ready");
        Path ticketKey = mgmtDir.resolve("ticket-public.pem");
        Path managementCertificate = mgmtDir.resolve("tls.crt.pem");
        assertThat(ticketKey).isRegularFile();
        assertThat(managementCertificate).isRegularFile();

        Map<String, String> brokerEnv = new HashMap<>();
        brokerEnv.put("CAM_BROKER_ID", "e2e-ui-broker-1");
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
        broker = launch("session-broker", brokerEnv, List.of(java, "-Xmx256m",
                "-Dquarkus.tls.management.trust-store.pem.certs=" + managementCertificate,
                "-jar", brokerJar.toString()));
        awaitReady(broker, "http://127.0.0.1:" + brokerAdminPort + "/q/health/ready");

        enrolDeviceAndGrantUsers();
        // The broker's WebSocket and management-api use self-signed certificates (as in the demo): the test's
        // browser accepts them; a user's browser is told by the page to accept the broker's once.
        chrome = Chromium.start(root, List.of("--ignore-certificate-errors"));
    }

    /** Discovery notice, approval (enrolment over pinned HTTPS), LDAP sync, cam-users FULL_CONTROL on the channels. */
    private static void enrolDeviceAndGrantUsers() throws Exception {
        Matcher m = Pattern.compile("device 1 ready: name=(\\S+) id=(\\S+) serial=(\\S+) .* sha256=([0-9a-f]{64})")
                .matcher(device.output());
        assertThat(m.find()).as("simulator ready line").isTrue();
        String mac = m.group(2);
        Map<String, Object> notice = new HashMap<>();
        notice.put("deviceId", mac);
        notice.put("version", System.currentTimeMillis() * 1000);
        notice.put("serial", m.group(3));
        notice.put("model", "CAM-SIM-KVM");
        notice.put("firmwareVersion", "1.0.0");
        notice.put("name", m.group(1));
        notice.put("address", DEVICE_ADDRESS);
        notice.put("httpsPort", DEVICE_HTTPS);
        notice.put("kvmPortFirst", DEVICE_KVM);
        notice.put("kvmPortLast", DEVICE_KVM + 1);
        notice.put("channelCount", 2);
        notice.put("bootCounter", 1);
        notice.put("certificateFingerprint", m.group(4));
        notice.put("sourceAddress", DEVICE_ADDRESS);
        notice.put("heardVia", "SCAN_REPLY");
        notice.put("firstSeen", Instant.now().toString());
        notice.put("lastSeen", Instant.now().toString());
        send(request("/api/v1/internal/discoveries", "Bearer " + DISCOVERY_TOKEN).POST(body(notice)), 200);
        long deviceId = items(JSON.readTree(send(admin("/api/v1/devices?q=" + mac).GET(), 200))).get(0).path("id")
                .asLong();
        send(admin("/api/v1/devices/" + deviceId + "/approve").POST(HttpRequest.BodyPublishers.noBody()), 200);
        JsonNode managed = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> JSON.readTree(send(admin("/api/v1/devices/" + deviceId).GET(), 200)),
                        d -> "MANAGED".equals(d.path("state").asText()));
        managed.path("channels").forEach(c -> targetIds.add(c.path("targetId").asLong()));
        assertThat(targetIds).hasSize(2);

        long setId = JSON.readTree(send(admin("/api/v1/target-sets").POST(body(Map.of("name", "e2e-ui-lab"))), 201))
                .path("id").asLong();
        for (long t : targetIds) {
            send(admin("/api/v1/target-sets/" + setId + "/targets/" + t).PUT(HttpRequest.BodyPublishers.noBody()), 204);
        }
        send(admin("/api/v1/ldap/sync").POST(HttpRequest.BodyPublishers.noBody()), 200);
        long groupId = -1;
        for (JsonNode g : items(JSON.readTree(send(admin("/api/v1/groups?q=cam-users").GET(), 200)))) {
            if ("cam-users".equals(g.path("name").asText())) {
                groupId = g.path("id").asLong();
            }
        }
        assertThat(groupId).as("LDAP group cam-users after sync").isPositive();
        send(admin("/api/v1/grants").POST(body(Map.of("groupId", groupId, "targetSetId", setId,
                "accessLevel", "FULL_CONTROL"))), 201);
    }

    @AfterAll
    static void stopServices() throws Exception {
        if (chrome != null) {
            if (failed) {
                System.err.println("==== chromium log ====\n" + chrome.log());
            }
            chrome.close();
        }
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
        if (failed) {
            for (ServiceProcess p : processes) {
                System.err.println("==== last lines of " + p.name + " (" + p.log + ") ====\n" + p.tail(80));
            }
        } else if (work != null) {
            try (var files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void userLogsInAndSeesTheDeviceChannelsAvailable() throws Exception {
        chrome.navigate(managementUrl + "/");
        awaitTrue("!document.getElementById('login-view').hidden");
        chrome.eval("document.getElementById('username').value = '" + USER + "';"
                + "document.getElementById('password').value = '" + DEMO_PASSWORD + "';"
                + "document.getElementById('login-form').requestSubmit(); true");
        awaitTrue("!document.getElementById('targets-view').hidden");
        // Enrolled channels become Available with the first status poll; the page's Refresh button reloads the list.
        for (long t : targetIds) {
            awaitTrue("(() => { const s = document.querySelector('#targets-table tr[data-target-id=\"" + t
                    + "\"] td.status'); if (!s || s.textContent !== 'Available') {"
                    + " document.querySelector('.refresh[data-view=\"targets\"]').click(); return false; }"
                    + " return true; })()");
        }
        assertThat(chrome.evalString("document.getElementById('who').textContent")).startsWith(USER + " (");
    }

    @Test
    @Order(2)
    void consoleShowsTheDeviceScreenAndTypedKeysReachTheDevice() throws Exception {
        long target = targetIds.get(0);
        openConsole(target, "control");
        awaitTrue("document.getElementById('console-status').textContent.startsWith('connected to ')");
        assertThat(chrome.evalString("document.getElementById('console-status').textContent"))
                .contains("(1024x768)");
        assertThat(chrome.eval("document.getElementById('console-canvas').width").asInt()).isEqualTo(1024);
        assertThat(chrome.eval("document.getElementById('console-canvas').height").asInt()).isEqualTo(768);
        // The device's test screen: the "keys:" label in its colour, drawn by the first full update.
        int baseline = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(BrowserConsoleIT::keysLineInkEnd, x -> x > 0);
        assertThat(distinctColours()).as("a real screen, not a blank canvas").isGreaterThan(8);

        // The page focused the canvas; real key events go to it.
        assertThat(chrome.evalString("document.activeElement && document.activeElement.id"))
                .isEqualTo("console-canvas");
        // One key at a time, so each picture answers a known state of the device's "keys" line.
        chrome.type('u');
        int afterOne = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(BrowserConsoleIT::keysLineInkEnd, x -> x > baseline);
        chrome.type('u');
        int afterTwo = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(BrowserConsoleIT::keysLineInkEnd, x -> x > afterOne);
        int advance = afterTwo - afterOne;
        // "keys:" + two spaces + "u": about three monospaced characters past the label (as SessionEndToEndIT).
        assertThat(afterOne - baseline).as("one character of %d px after the label", advance)
                .isBetween(2 * advance, 4 * advance - 1);

        // Mouse: a left button held at (600, 500) makes the device draw its pointer mark there in red (0xef476f);
        // released, the mark turns white.
        assertThat(markPixels(600, 500, 0xef476f)).isZero();
        JsonNode box = chrome.eval("(() => { const r = document.getElementById('console-canvas')"
                + ".getBoundingClientRect(); return [r.left, r.top, r.width / 1024]; })()");
        double px = box.get(0).asDouble() + 600 * box.get(2).asDouble();
        double py = box.get(1).asDouble() + 500 * box.get(2).asDouble();
        chrome.mouse("mouseMoved", px, py, "none", 0);
        chrome.mouse("mousePressed", px, py, "left", 1);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> markPixels(600, 500, 0xef476f) > 10);
        chrome.mouse("mouseReleased", px, py, "left", 0);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> markPixels(600, 500, 0xef476f) == 0 && markPixels(600, 500, 0xffffff) > 10);

        // Ctrl-Alt-Del: non-printable keysyms are drawn as <hex>; the line grows by far more than one character.
        chrome.eval("document.getElementById('console-cad').click(); true");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(BrowserConsoleIT::keysLineInkEnd, x -> x > afterTwo + 3 * advance);

        // Disconnect from the page: the broker reports the end, the page says why it closed.
        chrome.eval("document.getElementById('console-close').click(); true");
        awaitTrue("!document.getElementById('console-reason').hidden");
        assertThat(chrome.evalString("document.getElementById('console-reason').textContent"))
                .isEqualTo("Session ended: disconnected");
        JsonNode ended = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> lastSession(target), s -> "ENDED".equals(s.path("state").asText()));
        assertThat(ended.path("endReason").asText()).isEqualTo("client_closed");
        assertThat(ended.path("bytesFromDevice").asLong()).as("a 1024x768 screen went through")
                .isGreaterThan(1024 * 768);
        assertThat(ended.path("bytesFromClient").asLong()).isPositive();
    }

    @Test
    @Order(3)
    void viewSessionSendsNoInputAndAnOperatorsDisconnectShowsItsReason() throws Exception {
        chrome.eval("document.getElementById('console-close').click(); true"); // back to the list
        long target = targetIds.get(1);
        awaitTrue("document.querySelector('#targets-table tr[data-target-id=\"" + target + "\"] button.view') !== null");
        openConsole(target, "view");
        awaitTrue("document.getElementById('console-status').textContent.startsWith('connected to ')");
        assertThat(chrome.eval("document.getElementById('console-cad').hidden").asBoolean()).isTrue();
        int baseline = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(BrowserConsoleIT::keysLineInkEnd, x -> x > 0);
        chrome.eval("document.getElementById('console-canvas').focus(); true");
        chrome.type('q');
        chrome.type('q');

        // An operator disconnects the session; the broker ends it at its next heartbeat and the page shows why.
        String sessionId = lastSession(target).path("id").asText();
        HttpResponse<String> d = http.send(request("/api/v1/sessions/" + sessionId, basic(OPERATOR, DEMO_PASSWORD))
                .DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(d.statusCode()).as(d.body()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> chrome.eval("!document.getElementById('console-reason').hidden").asBoolean());
        String reason = chrome.evalString("document.getElementById('console-reason').textContent");
        assertThat(reason).isEqualTo("Session ended: an operator disconnected this session (admin_disconnect)");
        // The canvas kept the last picture: the keys line is as it was, the view session's keys were not sent.
        assertThat(keysLineInkEnd()).isEqualTo(baseline);
        JsonNode ended = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> lastSession(target), s -> "ENDED".equals(s.path("state").asText()));
        assertThat(ended.path("bytesFromClient").asLong()).as("the view session's client bytes").isPositive();
        assertThat(ended.path("disconnectRequestedBy").asText()).isEqualTo(OPERATOR);
        // The broker would have dropped input in a VIEW session and counted it: the page sent none.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> broker.output().contains("session " + sessionId + " ended: "));
        String endLine = broker.output().lines().filter(l -> l.contains("session " + sessionId + " ended: "))
                .findFirst().orElseThrow();
        assertThat(endLine).contains("admin_disconnect", " 0 view-only inputs dropped");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static void openConsole(long target, String mode) throws Exception {
        chrome.eval("document.querySelector('#targets-table tr[data-target-id=\"" + target + "\"] button." + mode
                + "').click(); true");
        awaitTrue("!document.getElementById('connect-panel').hidden && !document.getElementById('open-console').disabled");
        assertThat(chrome.evalString("document.getElementById('connect-password').textContent")).hasSize(8);
        chrome.eval("document.getElementById('open-console').click(); true");
        awaitTrue("!document.getElementById('console-view').hidden");
    }

    private static JsonNode lastSession(long target) throws Exception {
        JsonNode list = items(JSON.readTree(send(admin("/api/v1/sessions?targetId=" + target).GET(), 200)));
        JsonNode newest = null;
        for (JsonNode s : list) {
            if (newest == null || s.path("createdAt").asText().compareTo(newest.path("createdAt").asText()) > 0) {
                newest = s;
            }
        }
        assertThat(newest).as("a session on target " + target).isNotNull();
        return newest;
    }

    /** Rightmost canvas column in the keys line's colour (0x06d6a0) in rows 236..268, or -1 (as SessionEndToEndIT). */
    private static int keysLineInkEnd() throws Exception {
        return chrome.eval("(() => { const c = document.getElementById('console-canvas');"
                + " const d = c.getContext('2d').getImageData(0, 236, c.width, 33).data; let end = -1;"
                + " for (let i = 0; i < d.length; i += 4) {"
                + "  if (Math.abs(d[i] - 0x06) < 24 && Math.abs(d[i + 1] - 0xd6) < 24 && Math.abs(d[i + 2] - 0xa0) < 24)"
                + "   { end = Math.max(end, (i / 4) % c.width); } }"
                + " return end; })()").asInt();
    }

    /** Canvas pixels near the colour within 24 px of (x, y). */
    private static int markPixels(int x, int y, int rgb) throws Exception {
        return chrome.eval("(() => { const d = document.getElementById('console-canvas').getContext('2d')"
                + ".getImageData(" + (x - 12) + ", " + (y - 12) + ", 25, 25).data; let n = 0;"
                + " for (let i = 0; i < d.length; i += 4) { if (Math.abs(d[i] - " + (rgb >> 16 & 0xff) + ") < 24"
                + " && Math.abs(d[i + 1] - " + (rgb >> 8 & 0xff) + ") < 24 && Math.abs(d[i + 2] - " + (rgb & 0xff)
                + ") < 24) { n++; } } return n; })()").asInt();
    }

    private static int distinctColours() throws Exception {
        return chrome.eval("(() => { const c = document.getElementById('console-canvas');"
                + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; const s = new Set();"
                + " for (let i = 0; i < d.length && s.size < 64; i += 4 * 97) { s.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]); }"
                + " return s.size; })()").asInt();
    }

    private static void awaitTrue(String expression) throws Exception {
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> chrome.eval(expression).asBoolean());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("page never met: " + expression + "\npage: " + chrome.evalString(
                    "['messages', 'console-status', 'console-reason'].map(id => id + '=' +"
                    + " document.getElementById(id).textContent).join(' | ')"), e);
        }
    }

    private static ServiceProcess launch(String name, Map<String, String> env, List<String> command)
            throws IOException {
        ServiceProcess p = ServiceProcess.start(name, work, env, command);
        processes.add(p);
        return p;
    }

    private static void awaitReady(ServiceProcess p, String url) {
        await(p.name + " ready").atMost(START).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
            assertThat(p.alive()).as(p.name + " running").isTrue();
            return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        });
    }

    private static void recreateDatabase() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:mysql://" + env("CAM_DB_PRIMARY_HOST", "127.0.0.1") + ":"
                + env("CAM_DB_PRIMARY_PORT", "13306") + "/", env("CAM_DB_ADMIN_USER", "camadmin"),
                env("CAM_DB_ADMIN_PASSWORD", "camadmin")); Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + DATABASE);
            s.execute("CREATE DATABASE " + DATABASE);
        }
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
                .header("Authorization", authorization).header("Accept", "application/json")
                .header("Content-Type", "application/json");
    }

    private static HttpRequest.Builder admin(String path) {
        return request(path, basic("admin", ADMIN_PASSWORD));
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

    /**
     * Headless Chromium over the DevTools protocol with the JDK's WebSocket client (the same small driver as
     * management-api's ui/Chromium test helper; a copy, since the modules share no test code).
     */
    static final class Chromium implements AutoCloseable {
        private final Process process;
        private final Path dir;
        private final WebSocket ws;
        private final AtomicInteger ids = new AtomicInteger();
        private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

        private Chromium(Process process, Path dir, WebSocket ws) {
            this.process = process;
            this.dir = dir;
            this.ws = ws;
        }

        static Chromium start(Path root, List<String> extraFlags) throws Exception {
            Process install = new ProcessBuilder("bash", root.resolve("scripts/ensure-packages.sh").toString(),
                    "chromium=chromium").inheritIO().start();
            assertThat(install.waitFor(5, TimeUnit.MINUTES)).isTrue();
            assertThat(install.exitValue()).as("chromium installed").isZero();
            Path dir = Files.createTempDirectory("cam-e2e-chromium");
            List<String> cmd = new ArrayList<>(List.of("chromium", "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--no-first-run", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                    "--user-data-dir=" + dir.resolve("profile"), "--window-size=1280,1000"));
            cmd.addAll(extraFlags);
            cmd.add("about:blank");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("chromium.log").toFile()).start();
            try {
                Path portFile = dir.resolve("profile").resolve("DevToolsActivePort");
                await("DevTools port").atMost(Duration.ofSeconds(60)).until(() -> Files.isRegularFile(portFile)
                        && Files.readAllLines(portFile).size() >= 2);
                int port = Integer.parseInt(Files.readAllLines(portFile).get(0).trim());
                HttpClient local = HttpClient.newHttpClient();
                String wsUrl = await("a page target").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
                    for (JsonNode t : JSON.readTree(local.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/json/list")).build(),
                            HttpResponse.BodyHandlers.ofString()).body())) {
                        if ("page".equals(t.path("type").asText())) {
                            return t.path("webSocketDebuggerUrl").asText();
                        }
                    }
                    return null;
                }, u -> u != null && !u.isEmpty());
                Chromium[] self = new Chromium[1];
                WebSocket ws = local.newWebSocketBuilder().buildAsync(URI.create(wsUrl), new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            String message = text.toString();
                            text.setLength(0);
                            self[0].onMessage(message);
                        }
                        w.request(1);
                        return null;
                    }
                }).get(30, TimeUnit.SECONDS);
                self[0] = new Chromium(p, dir, ws);
                self[0].send("Page.enable", JSON.createObjectNode());
                return self[0];
            } catch (Exception | Error e) {
                p.destroyForcibly();
                throw e;
            }
        }

        private void onMessage(String message) {
            try {
                JsonNode m = JSON.readTree(message);
                if (m.has("id")) {
                    CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
                    if (f != null) {
                        f.complete(m);
                    }
                }
            } catch (IOException e) {
                // events we do not use
            }
        }

        JsonNode send(String method, ObjectNode params) throws Exception {
            int id = ids.incrementAndGet();
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            pending.put(id, f);
            ObjectNode msg = JSON.createObjectNode().put("id", id).put("method", method);
            msg.set("params", params);
            ws.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
            JsonNode answer = f.get(60, TimeUnit.SECONDS);
            if (answer.has("error")) {
                throw new IllegalStateException(method + ": " + answer.get("error"));
            }
            return answer.path("result");
        }

        void navigate(String url) throws Exception {
            send("Page.navigate", JSON.createObjectNode().put("url", url));
        }

        JsonNode eval(String expression) throws Exception {
            JsonNode r = send("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
                    .put("returnByValue", true).put("awaitPromise", true));
            if (r.has("exceptionDetails")) {
                throw new IllegalStateException("page threw: " + r.get("exceptionDetails"));
            }
            return r.path("result").path("value");
        }

        String evalString(String expression) throws Exception {
            JsonNode v = eval(expression);
            return v.isNull() || v.isMissingNode() ? null : v.asText();
        }

        /** keydown (with text) and keyup into the focused element, as a user's key press. */
        void type(char c) throws Exception {
            String s = String.valueOf(c);
            String code = Character.isLetter(c) ? "Key" + Character.toUpperCase(c)
                    : Character.isDigit(c) ? "Digit" + c : "";
            int vk = Character.toUpperCase(c);
            send("Input.dispatchKeyEvent", JSON.createObjectNode().put("type", "keyDown").put("key", s)
                    .put("code", code).put("text", s).put("windowsVirtualKeyCode", vk));
            send("Input.dispatchKeyEvent", JSON.createObjectNode().put("type", "keyUp").put("key", s)
                    .put("code", code).put("windowsVirtualKeyCode", vk));
        }

        void mouse(String type, double x, double y, String button, int buttons) throws Exception {
            send("Input.dispatchMouseEvent", JSON.createObjectNode().put("type", type).put("x", x).put("y", y)
                    .put("button", button).put("buttons", buttons).put("clickCount", type.equals("mouseMoved") ? 0 : 1));
        }

        String log() {
            try {
                return Files.readString(dir.resolve("chromium.log"), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        }

        @Override
        public void close() throws Exception {
            ws.abort();
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }
}
