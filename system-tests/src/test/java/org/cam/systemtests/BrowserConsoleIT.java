package org.cam.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import org.cam.testsupport.browser.Chromium;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import org.cam.testsupport.Packages;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.cam.systemtests.SuiteStack.DEMO_PASSWORD;
import static org.cam.systemtests.SuiteStack.items;

/**
 * The web UI's in-browser console end to end: one simulated device, management-api and session-broker from the
 * reactor's jars ({@link SuiteStack}, as SessionEndToEndIT starts them, with addresses, ports and a database of their
 * own), and headless Chromium driven over the DevTools protocol (test-support's driver).
 * LDAP user uma logs in to the page served by management-api over HTTPS, opens a control session on channel 1, and
 * the page's console (noVNC, served from management-api's jar) talks to the device through the broker's WebSocket:
 * the canvas shows the device's 1024x768 screen, keys typed into the canvas appear on the device's "keys" line,
 * text pasted into the console's clipboard appears on its "clip" line, Ctrl-Alt-Del reaches it, scaling switches
 * between fit and 1:1, a view session sends nothing and shows its badge, and an operator's disconnect shows its
 * reason and message.
 *
 * <p>Before that, the administrator's pages that need the other services: replication-monitor (from its jar, on a
 * MariaDB pair of this test's own through scripts/infra.sh, 27316/27317, never the shared pair) and discovery-service
 * (from its jar, forwarding to this management-api). The administrator scans the device's address on the Discovery
 * page, approves the device that answered, and the API shows it MANAGED with its channels as targets; the Replication
 * page shows both nodes and the state, and a switchover made there (reason, confirmation) is done with the acting
 * user in replication-monitor's history and audit. Last, a QEMU VM (Debian qemu-system-x86) as an RFB-endpoint
 * target given to uma with the clipboard policy NONE: the console shows QEMU's screen, offers no clipboard, and warns
 * before the idle timeout (90 s here), then shows the broker's idle_timeout end. Then the pair's primary stops and
 * the administrator promotes the secondary on the Replication page (reason, confirmation): replication-monitor's
 * status and history, with the acting user, and management-api's audit show it. axe-core on the new pages;
 * screenshots in target/ui-screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class BrowserConsoleIT {
    private static final String USER = "uma";
    private static final String OPERATOR = "otto";

    // Not SessionEndToEndIT's (127.0.77.1, 19443, 15900, cam_e2e): both may run in one build.
    @RegisterExtension
    static final SuiteStack STACK = new SuiteStack(new SuiteStack.Spec("e2e-ui", "127.0.78.1", 19543, 15930, 2,
            "cam_e2e_ui", List.of("--seed", "78")));

    // The replication page's pair (FailoverDrillIT's is 27306/27307), and QEMU's address and VNC port.
    private static final int NODE_A = 27316;
    private static final int NODE_B = 27317;
    private static final String QEMU_HOST = "127.0.78.2";
    private static final int QEMU_PORT = 24930;
    private static final int IDLE_TIMEOUT_SECONDS = 90;
    private static final Path SHOTS = Path.of(System.getProperty("cam.build.dir", "target"), "ui-screenshots");

    private static final List<Long> targetIds = new ArrayList<>();
    private static Chromium chrome;
    private static Path root;
    private static Path infraDir;
    private static int monitorPort;
    private static InteropServers.Qemu qemu;

    @BeforeAll
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    static void startServices() throws Exception {
        root = Path.of(System.getProperty("cam.root.dir", "..")).toAbsolutePath().normalize();
        String buildDir = System.getProperty("cam.build.dir", "target");
        infraDir = root.resolve("system-tests").resolve(buildDir).resolve("infra-ui");
        infra("db-down", "--purge");   // a fresh pair: the last run switched it over
        infra("db-up");
        monitorPort = SuiteStack.freePort();
        int discoveryPort = SuiteStack.freePort();
        STACK.managementEnv(Map.of("CAM_REPLICATION_MONITOR_URL", "http://127.0.0.1:" + monitorPort,
                "CAM_DISCOVERY_URL", "http://127.0.0.1:" + discoveryPort,
                "CAM_SESSION_IDLE_TIMEOUT_SECONDS", String.valueOf(IDLE_TIMEOUT_SECONDS)));
        STACK.start();

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path monitorJar = root.resolve("replication-monitor").resolve(buildDir).resolve("quarkus-app/quarkus-run.jar");
        Path discoveryJar = root.resolve("discovery-service").resolve(buildDir).resolve("quarkus-app/quarkus-run.jar");
        assertThat(monitorJar).as("packaged by the reactor before this module").isRegularFile();
        assertThat(discoveryJar).as("packaged by the reactor before this module").isRegularFile();
        ServiceProcess monitor = STACK.launchExtra("replication-monitor", Map.of(), List.of(java, "-Xmx192m",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + monitorPort,
                "-Dcam.replication.primary.host=127.0.0.1", "-Dcam.replication.primary.port=" + NODE_A,
                "-Dcam.replication.secondary.host=127.0.0.1", "-Dcam.replication.secondary.port=" + NODE_B,
                // management-api's token for this service, as SuiteStack gives it to management-api
                "-Dcam.replication.management-token=" + STACK.spec.name() + "-replication-token",
                "-jar", monitorJar.toString()));
        int udpPort;
        try (DatagramSocket free = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            udpPort = free.getLocalPort();
        }
        ServiceProcess discovery = STACK.launchExtra("discovery-service", Map.of(), List.of(java, "-Xmx192m",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + discoveryPort,
                "-Dcam.discovery.udp.bind-address=127.0.0.1", "-Dcam.discovery.udp.port=" + udpPort,
                "-Dcam.discovery.scan.on-start=false",
                "-Dcam.discovery.forward.url=" + STACK.managementUrl(),
                "-Dcam.discovery.forward.token=" + STACK.spec.discoveryToken(),
                "-Dquarkus.tls.management.trust-store.pem.certs=" + STACK.managementCertificate(),
                "-jar", discoveryJar.toString()));
        STACK.awaitReady(monitor, "http://127.0.0.1:" + monitorPort + "/q/health/ready");
        STACK.awaitReady(discovery, "http://127.0.0.1:" + discoveryPort + "/q/health/ready");

        Packages.ensure("qemu-system-x86_64=qemu-system-x86");
        qemu = InteropServers.Qemu.start(QEMU_HOST, QEMU_PORT, "qemu-pw", Files.createDirectories(
                STACK.work().resolve("qemu")));
        // The broker's WebSocket and management-api use self-signed certificates (as in the demo): the test's
        // browser accepts them; a user's browser is told by the page to accept the broker's once.
        chrome = Chromium.start(List.of("--ignore-certificate-errors"));
    }

    /** Before SuiteStack stops the services. */
    @AfterAll
    static void stopBrowser() throws Exception {
        if (chrome != null) {
            if (STACK.failed()) {
                System.err.println("==== chromium log ====\n" + chrome.log());
            }
            chrome.close();
        }
        if (qemu != null) {
            qemu.close();
        }
        if (infraDir != null) {
            infra("db-down");
        }
    }

    @Test
    @Order(0)
    void administratorScansApprovesTheDeviceAndSwitchesTheDatabaseOver() throws Exception {
        chrome.navigate(STACK.managementUrl() + "/");
        login("admin", STACK.spec.adminPassword());
        awaitTrue("document.getElementById('page').dataset.ready === 'mytargets'");

        // Discovery: a scan of the device's address through discovery-service; it answers, is forwarded here, and
        // is approved from the scan's results.
        open("scans");
        chrome.eval("document.querySelector('button.new-scan').click(); true");
        awaitTrue("document.querySelector('dialog[open]') !== null");
        chrome.eval("(() => { const d = document.querySelector('dialog[open]');"
                + " d.querySelector('[name=cidr]').value = '" + STACK.spec.deviceAddress() + "/32';"
                + " d.querySelector('[name=port]').value = '3080';"
                + " d.querySelector('form').requestSubmit(); return true; })()");
        awaitTrue("document.querySelector('#scan-detail .scan-status') !== null"
                + " && document.querySelector('#scan-detail .scan-status').textContent === 'COMPLETED'");
        String row = "#scan-responders tr[data-device-id]";
        awaitTrue("(() => { const r = document.querySelector('" + row + "');"
                + " if (r && r.dataset.state === 'DISCOVERED') { return true; }"
                + " document.querySelector('#scans-table tr[data-scan-id] button.results').click(); return false; })()");
        String mac = chrome.evalString("document.querySelector('" + row + "').dataset.deviceId");
        assertThat(chrome.evalString("document.querySelector('" + row + "').textContent"))
                .contains(STACK.spec.deviceAddress());
        check("scans");
        chrome.eval("document.querySelector('" + row + " button.approve').click(); true");
        awaitTrue("document.querySelector('" + row + "') !== null"
                + " && document.querySelector('" + row + "').dataset.state === 'MANAGED'");
        JsonNode devices = items(STACK.json(STACK.admin("/api/v1/devices?q=" + mac).GET(), 200));
        assertThat(devices).hasSize(1);
        JsonNode device = STACK.json(STACK.admin("/api/v1/devices/" + devices.get(0).path("id").asLong()).GET(), 200);
        assertThat(device.path("state").asText()).isEqualTo("MANAGED");
        device.path("channels").forEach(c -> targetIds.add(c.path("targetId").asLong()));
        assertThat(targetIds).hasSize(STACK.spec.channels()).doesNotContain(0L);
        for (long t : targetIds) {
            JsonNode target = STACK.json(STACK.admin("/api/v1/targets/" + t).GET(), 200);
            assertThat(target.path("deviceId").asLong()).isEqualTo(device.path("id").asLong());
            assertThat(target.path("host").asText()).isEqualTo(STACK.spec.deviceAddress());
        }
        STACK.grant("cam-users", targetIds, "FULL_CONTROL");

        // Replication: both nodes and the state, then a switchover with a reason and the confirmation.
        open("replication");
        awaitTrue("document.getElementById('replication-state-name') !== null"
                + " && document.getElementById('replication-state-name').textContent === 'HEALTHY'");
        assertThat(chrome.evalString("document.querySelector('#replication-nodes tr[data-role=primary]').dataset.node"))
                .isEqualTo("127.0.0.1:" + NODE_A);
        assertThat(chrome.evalString("document.querySelector('#replication-nodes tr[data-role=secondary]').dataset.node"))
                .isEqualTo("127.0.0.1:" + NODE_B);
        assertThat(chrome.evalString("document.getElementById('replication-lag').textContent")).isNotBlank();
        check("replication");
        chrome.eval("document.querySelector('button.switchover').click(); true");
        awaitTrue("document.querySelector('dialog[open]') !== null");
        // Without the confirmation the form does not go.
        chrome.eval("(() => { const d = document.querySelector('dialog[open]');"
                + " d.querySelector('[name=reason]').value = 'UI test: planned maintenance';"
                + " d.querySelector('form').requestSubmit(); return true; })()");
        assertThat(chrome.eval("document.querySelector('dialog[open]') !== null").asBoolean()).isTrue();
        chrome.eval("(() => { const d = document.querySelector('dialog[open]');"
                + " d.querySelector('[name=confirm]').checked = true;"
                + " d.querySelector('form').requestSubmit(); return true; })()");
        awaitTrue("document.getElementById('messages').textContent.includes('Switchover done.')");
        JsonNode status = monitor("/api/v1/replication/status");
        assertThat(status.path("primary").path("address").asText()).isEqualTo("127.0.0.1:" + NODE_B);
        actedAsAdmin("SWITCHOVER", "UI test: planned maintenance");
        chrome.screenshot(SHOTS.resolve("replication-after-switchover.png"));

        assertThat(chrome.cspViolations()).as("nothing the pages do is blocked by the policy").isEqualTo("[]");
        chrome.eval("document.getElementById('logout').click(); true");
        awaitTrue("!document.getElementById('login-view').hidden");
    }

    @Test
    @Order(1)
    void userLogsInAndSeesTheDeviceChannelsAvailable() throws Exception {
        chrome.navigate(STACK.managementUrl() + "/");
        login(USER, DEMO_PASSWORD);
        awaitTrue("!document.getElementById('targets-view').hidden");
        // Enrolled channels become Available with the first status poll; the page's Refresh button reloads the list.
        for (long t : targetIds) {
            awaitTrue("(() => { const s = document.querySelector('#targets-table tr[data-target-id=\"" + t
                    + "\"] td.status'); if (!s || s.textContent !== 'Available') {"
                    + " document.querySelector('#targets-view .refresh').click(); return false; }"
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
        java.nio.file.Files.createDirectories(java.nio.file.Path.of("target/ui-screenshots"));
        java.nio.file.Files.write(java.nio.file.Path.of("target/ui-screenshots/console.png"), java.util.Base64
                .getDecoder().decode(chrome.send("Page.captureScreenshot", new com.fasterxml.jackson.databind
                        .ObjectMapper().createObjectNode().put("format", "png")).path("data").asText()));

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

        // The clipboard: text pasted in the console's clipboard panel reaches the device's clipboard ("clip:" line).
        int clipBefore = clipLineInkEnd();
        chrome.eval("document.querySelector('#console-view details.clipboard').open = true;"
                + " document.getElementById('console-clipboard').value = 'pasted from the browser';"
                + " document.querySelector('#console-view .clipboard-send').click(); true");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(BrowserConsoleIT::clipLineInkEnd, x -> x > clipBefore + 10 * advance);

        // 1:1 instead of scale to fit: the canvas keeps the device's size on the page.
        chrome.eval("(() => { const s = document.getElementById('console-scale'); s.value = 'real';"
                + " s.dispatchEvent(new Event('change')); return true; })()");
        awaitTrue("document.getElementById('console-canvas').getBoundingClientRect().width === 1024");
        chrome.eval("(() => { const s = document.getElementById('console-scale'); s.value = 'fit';"
                + " s.dispatchEvent(new Event('change')); return true; })()");

        // Ctrl-Alt-Del: non-printable keysyms are drawn as <hex>; the line grows by far more than one character.
        chrome.eval("document.getElementById('console-cad').click(); true");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(BrowserConsoleIT::keysLineInkEnd, x -> x > afterTwo + 3 * advance);

        // Disconnect from the page: the broker reports the end, the page says why it closed.
        chrome.eval("document.getElementById('console-close').click(); true");
        awaitTrue("!document.getElementById('console-reason').hidden");
        assertThat(chrome.evalString("document.getElementById('console-reason').textContent"))
                .startsWith("Session ended: ");
        assertThat(chrome.eval("document.getElementById('console-reason').classList.contains('normal')").asBoolean())
                .as("a disconnect the user asked for is no error").isTrue();
        JsonNode ended = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> lastSession(target), s -> "ENDED".equals(s.path("state").asText()));
        assertThat(ended.path("endReason").asText()).isEqualTo("client_closed");
        // noVNC asks for compressed encodings (ZRLE, Tight...): the screens went through in far less than their raw
        // size (1024x768x4 = 3 MiB each).
        assertThat(ended.path("bytesFromDevice").asLong()).as("compressed screens went through")
                .isPositive().isLessThan(1024 * 768 * 4);
        assertThat(ended.path("bytesFromClient").asLong()).isPositive();
    }

    @Test
    @Order(3)
    void viewSessionSendsNoInputAndAnOperatorsDisconnectShowsItsReason() throws Exception {
        chrome.eval("document.getElementById('console-back').click(); true"); // back to the list
        long target = targetIds.get(1);
        awaitTrue("document.querySelector('#targets-table tr[data-target-id=\"" + target + "\"] button.view') !== null");
        openConsole(target, "view");
        awaitTrue("document.getElementById('console-status').textContent.startsWith('connected to ')");
        assertThat(chrome.eval("document.getElementById('console-cad') === null").asBoolean()).isTrue();
        assertThat(chrome.evalString("document.getElementById('console-view-only').textContent")).isEqualTo("View only");
        int baseline = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(BrowserConsoleIT::keysLineInkEnd, x -> x > 0);
        chrome.eval("document.getElementById('console-canvas').focus(); true");
        chrome.type('q');
        chrome.type('q');

        // The keys line is as it was (read while the session runs: noVNC removes its canvas when it ends); the proof
        // that the page sent no input is the broker's count of dropped view-only inputs below.
        assertThat(keysLineInkEnd()).isEqualTo(baseline);
        // An operator disconnects the session; the broker ends it at its next heartbeat and the page shows why.
        String sessionId = lastSession(target).path("id").asText();
        HttpResponse<String> d = STACK.http().send(STACK.as(OPERATOR, DEMO_PASSWORD, "/api/v1/sessions/" + sessionId
                + "?message=maintenance%20window").DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(d.statusCode()).as(d.body()).isEqualTo(202);
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .until(() -> chrome.eval("!document.getElementById('console-reason').hidden").asBoolean());
        String reason = chrome.evalString("document.getElementById('console-reason').textContent");
        assertThat(reason).startsWith("Session ended: an operator disconnected this session (admin_disconnect)");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> chrome.evalString(
                "document.getElementById('console-reason').textContent"), r -> r.endsWith(
                " by " + OPERATOR + ": \"maintenance window\""));
        JsonNode ended = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> lastSession(target), s -> "ENDED".equals(s.path("state").asText()));
        assertThat(ended.path("bytesFromClient").asLong()).as("the view session's client bytes").isPositive();
        assertThat(ended.path("disconnectRequestedBy").asText()).isEqualTo(OPERATOR);
        // The broker would have dropped input in a VIEW session and counted it: the page sent none.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> STACK.broker().output().contains("session " + sessionId + " ended: "));
        String endLine = STACK.broker().output().lines().filter(l -> l.contains("session " + sessionId + " ended: "))
                .findFirst().orElseThrow();
        assertThat(endLine).contains("admin_disconnect", "dropped by policy: 0 client messages");
    }

    @Test
    @Order(4)
    void consoleShowsQemusScreenOffersNoClipboardAgainstThePolicyAndWarnsBeforeTheIdleTimeout() throws Exception {
        // (the idle timeout: a warning, then the broker's end with its reason on the page)
        // QEMU's VNC server (security None) as an RFB-endpoint target, given to uma directly with clipboard NONE.
        long qemuTarget = STACK.json(STACK.admin("/api/v1/targets").POST(SuiteStack.body(Map.of("name", "e2e-ui-qemu",
                "host", QEMU_HOST, "port", QEMU_PORT, "accessPolicy", "SHARED"))), 201).path("id").asLong();
        long uma = -1;
        for (JsonNode u : items(STACK.json(STACK.admin("/api/v1/users?q=" + USER).GET(), 200))) {
            if (USER.equals(u.path("username").asText())) {
                uma = u.path("id").asLong();
            }
        }
        assertThat(uma).as("uma's user id").isPositive();
        Map<String, Object> assignment = new HashMap<>(Map.of("userId", uma, "targetId", qemuTarget,
                "accessLevel", "FULL_CONTROL", "clipboard", "NONE"));
        STACK.send(STACK.admin("/api/v1/assignments").POST(SuiteStack.body(assignment)), 201);

        chrome.eval("document.getElementById('console-back') && document.getElementById('console-back').click(); true");
        awaitTrue("(() => { if (document.querySelector('#targets-table tr[data-target-id=\"" + qemuTarget
                + "\"] button.control')) { return true; }"
                + " document.querySelector('#targets-view .refresh').click(); return false; })()");
        openConsole(qemuTarget, "control");
        awaitTrue("document.getElementById('console-status').textContent.startsWith('connected to ')");
        assertThat(chrome.evalString("document.getElementById('console-status').textContent")).contains("QEMU");
        // SeaBIOS's text on QEMU's screen: light pixels on black.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> chrome.eval(
                "(() => { const c = document.getElementById('console-canvas');"
                + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;"
                + " for (let i = 0; i < d.length; i += 4) { if (d[i] + d[i + 1] + d[i + 2] > 300) { n++; } }"
                + " return n; })()").asInt() > 200);
        chrome.screenshot(SHOTS.resolve("console-qemu.png"));
        // The policy says NONE: no clipboard panel, no paste button, and the bar says so.
        assertThat(chrome.evalString("document.getElementById('console-clipboard-policy').textContent"))
                .isEqualTo("Clipboard: off");
        assertThat(chrome.evalString("document.getElementById('console-view').textContent")).doesNotContain("null");
        assertThat(chrome.eval("document.querySelector('#console-view details.clipboard') === null"
                + " && document.querySelector('#console-view .clipboard-send') === null").asBoolean()).isTrue();
        // No input: the idle warning comes before the broker's idle timeout.
        await().atMost(Duration.ofSeconds(IDLE_TIMEOUT_SECONDS)).pollInterval(Duration.ofSeconds(1)).until(() ->
                chrome.eval("!document.getElementById('console-idle').hidden").asBoolean());
        assertThat(chrome.evalString("document.getElementById('console-idle').textContent"))
                .contains("the session ends in").contains("unless you type or move the mouse");
        chrome.screenshot(SHOTS.resolve("console-idle-warning.png"));
        // Still no input: the broker ends the session, and the page says why.
        await().atMost(Duration.ofSeconds(IDLE_TIMEOUT_SECONDS)).pollInterval(Duration.ofSeconds(1)).until(() ->
                chrome.eval("!document.getElementById('console-reason').hidden").asBoolean());
        assertThat(chrome.evalString("document.getElementById('console-reason').textContent"))
                .isEqualTo("Session ended: no keyboard or mouse input for too long (idle_timeout)");
        JsonNode ended = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> lastSession(qemuTarget), x -> "ENDED".equals(x.path("state").asText()));
        assertThat(ended.path("endReason").asText()).isEqualTo("idle_timeout");
    }

    /**
     * An unplanned failover from the Replication page: the primary of the test's pair stops, the page shows it
     * unreachable, and an administrator promotes the secondary with a reason and the confirmation (the form does not
     * go without it). replication-monitor then reports the secondary as primary, its history names the acting user
     * and the reason, and management-api's audit has the promotion by that user.
     */
    @Test
    @Order(5)
    void administratorPromotesTheSecondaryAfterThePrimaryStops() throws Exception {
        JsonNode before = monitor("/api/v1/replication/status");
        String primary = before.path("primary").path("address").asText();
        String secondary = before.path("secondary").path("address").asText();
        assertThat(List.of(primary, secondary)).containsExactlyInAnyOrder("127.0.0.1:" + NODE_A, "127.0.0.1:" + NODE_B);
        // infra.sh names the nodes by the ports it gave them, whichever is primary now (after the switchover: B)
        infra("db-stop-node", primary.endsWith(":" + NODE_A) ? "primary" : "replica");

        chrome.eval("sessionStorage.clear(); true");   // whoever used the tab last
        chrome.navigate(STACK.managementUrl() + "/");
        login("admin", STACK.spec.adminPassword());
        awaitTrue("document.getElementById('page').dataset.ready === 'mytargets'");
        open("replication");
        // The node row shows the latest observation; the state is published only after the monitor's hysteresis
        // has seen the failure on consecutive observations, so a refresh can show one without the other.
        awaitTrue("(() => { const r = document.querySelector('#replication-nodes tr[data-role=primary]');"
                + " const s = document.getElementById('replication-state-name');"
                + " return r !== null && r.dataset.node === '" + primary + "' && r.textContent.includes('unreachable')"
                + " && s !== null && s.textContent !== 'HEALTHY'; })()");
        check("replication-primary-down");
        chrome.eval("document.querySelector('button.promote').click(); true");
        awaitTrue("document.querySelector('dialog[open]') !== null");
        // Without the confirmation the form does not go.
        chrome.eval("(() => { const d = document.querySelector('dialog[open]');"
                + " d.querySelector('[name=reason]').value = 'UI test: primary lost';"
                + " d.querySelector('form').requestSubmit(); return true; })()");
        assertThat(chrome.eval("document.querySelector('dialog[open]') !== null").asBoolean()).isTrue();
        chrome.eval("(() => { const d = document.querySelector('dialog[open]');"
                + " d.querySelector('[name=confirm]').checked = true;"
                + " d.querySelector('form').requestSubmit(); return true; })()");
        awaitTrue("document.getElementById('messages').textContent.includes('Promotion done.')");

        JsonNode after = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> monitor("/api/v1/replication/status"),
                        st -> secondary.equals(st.path("primary").path("address").asText()));
        assertThat(after.path("primary").path("readOnly").asBoolean(true)).as("the new primary takes writes").isFalse();
        actedAsAdmin("PROMOTE", "UI test: primary lost");
        chrome.screenshot(SHOTS.resolve("replication-after-promote.png"));
        assertThat(chrome.cspViolations()).as("nothing the pages do is blocked by the policy").isEqualTo("[]");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static void login(String user, String password) throws Exception {
        awaitTrue("!document.getElementById('login-view').hidden");
        chrome.eval("document.getElementById('username').value = '" + user + "';"
                + "document.getElementById('password').value = '" + password + "';"
                + "document.getElementById('login-form').requestSubmit(); true");
    }

    private static void open(String page) throws Exception {
        chrome.eval("location.hash = '#" + page + "'; true");
        awaitTrue("document.getElementById('page').dataset.ready === '" + page + "'");
    }

    /** axe-core (management-api's copy from npm) on the page: no serious or critical violation; a screenshot. */
    private static void check(String page) throws Exception {
        assertThat(chrome.accessibilityViolations(root.resolve("management-api")
                .resolve(System.getProperty("cam.build.dir", "target")).resolve("web/node_modules/axe-core/axe.min.js")))
                .as("axe-core serious/critical violations on " + page).isEmpty();
        chrome.screenshot(SHOTS.resolve(page + ".png"));
    }

    /**
     * A topology change made on the Replication page: DONE in replication-monitor's history with the acting user and
     * the reason, shown in the page's history, and in management-api's audit once, by admin.
     */
    private static void actedAsAdmin(String kind, String reason) throws Exception {
        JsonNode entry = null;
        for (JsonNode e : monitor("/api/v1/replication/history")) {
            if (kind.equals(e.path("kind").asText())) {
                entry = e;
            }
        }
        assertThat(entry).as(kind + " in replication-monitor's history").isNotNull();
        assertThat(entry.path("actor").asText()).isEqualTo("admin via management-api");
        assertThat(entry.path("reason").asText()).isEqualTo(reason);
        assertThat(entry.path("outcome").asText()).isEqualTo("DONE");
        awaitTrue("[...document.querySelectorAll('#replication-history tr[data-kind=" + kind + "]')]"
                + ".some(r => r.textContent.includes('admin via management-api') && r.textContent.includes('"
                + reason + "'))");
        JsonNode audit = items(STACK.json(STACK.admin("/api/v1/audit-events?action=REPLICATION_" + kind).GET(), 200));
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).path("actor").asText()).isEqualTo("admin");
        assertThat(audit.get(0).path("outcome").asText()).isEqualTo("SUCCESS");
    }

    private static JsonNode monitor(String path) throws Exception {
        HttpResponse<String> r = STACK.http().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitorPort
                + path)).timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + " -> " + r.body()).isEqualTo(200);
        return SuiteStack.JSON.readTree(r.body());
    }

    private static void infra(String... args) throws Exception {
        new InfraScript(root, infraDir, NODE_A, NODE_B).run(args);
    }

    private static void openConsole(long target, String mode) throws Exception {
        chrome.eval("document.querySelector('#targets-table tr[data-target-id=\"" + target + "\"] button." + mode
                + "').click(); true");
        awaitTrue("!document.getElementById('connect-panel').hidden && !document.getElementById('open-console').disabled");
        assertThat(chrome.evalString("document.getElementById('connect-password').textContent")).hasSize(8);
        chrome.eval("document.getElementById('open-console').click(); true");
        awaitTrue("!document.getElementById('console-view').hidden");
    }

    private static JsonNode lastSession(long target) throws Exception {
        JsonNode list = items(STACK.json(STACK.admin("/api/v1/sessions?targetId=" + target).GET(), 200));
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
        return ConsolePage.keysLineInkEnd(chrome);
    }

    /** Rightmost canvas column in the clip line's colour (0xcccccc) in rows 280..304 (above the mouse line). */
    private static int clipLineInkEnd() throws Exception {
        return chrome.eval("(() => { const c = document.getElementById('console-canvas');"
                + " const d = c.getContext('2d').getImageData(0, 280, c.width, 25).data; let end = -1;"
                + " for (let i = 0; i < d.length; i += 4) {"
                + "  if (Math.abs(d[i] - 0xcc) < 24 && Math.abs(d[i + 1] - 0xcc) < 24 && Math.abs(d[i + 2] - 0xcc) < 24)"
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
        ConsolePage.awaitTrue(chrome, expression);
    }
}
