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

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

    private static final List<Long> targetIds = new ArrayList<>();
    private static Chromium chrome;

    @BeforeAll
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    static void startServices() throws Exception {
        STACK.start();
        targetIds.addAll(STACK.enrolDeviceAndGrantCamUsers());
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
    }

    @Test
    @Order(1)
    void userLogsInAndSeesTheDeviceChannelsAvailable() throws Exception {
        chrome.navigate(STACK.managementUrl() + "/");
        awaitTrue("!document.getElementById('login-view').hidden");
        chrome.eval("document.getElementById('username').value = '" + USER + "';"
                + "document.getElementById('password').value = '" + DEMO_PASSWORD + "';"
                + "document.getElementById('login-form').requestSubmit(); true");
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
        return chrome.eval("(() => { const c = document.getElementById('console-canvas');"
                + " const d = c.getContext('2d').getImageData(0, 236, c.width, 33).data; let end = -1;"
                + " for (let i = 0; i < d.length; i += 4) {"
                + "  if (Math.abs(d[i] - 0x06) < 24 && Math.abs(d[i + 1] - 0xd6) < 24 && Math.abs(d[i + 2] - 0xa0) < 24)"
                + "   { end = Math.max(end, (i / 4) % c.width); } }"
                + " return end; })()").asInt();
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
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                    .until(() -> chrome.eval(expression).asBoolean());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("page never met: " + expression + "\npage: " + chrome.evalString(
                    "['messages', 'console-status', 'console-reason'].map(id => id + '=' +"
                    + " document.getElementById(id).textContent).join(' | ')"), e);
        }
    }
}
