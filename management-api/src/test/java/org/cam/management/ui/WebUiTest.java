package org.cam.management.ui;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import org.cam.management.support.Api;
import org.cam.management.support.RfbBanner;
import org.cam.testsupport.browser.Chromium;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web UI served at /: its security headers, and in headless Chromium against this test server: the LDAP demo
 * user uma logs in, sees her targets with status text and access level, gets a session answer (one-time password,
 * vncviewer hint, countdown), sees a 409 denial as a message, is told how to accept the broker's certificate when
 * the console's WebSocket cannot connect, and logs out.
 */
@QuarkusTest
class WebUiTest {
    /** The checkout (surefire runs in the module folder), for scripts/ensure-packages.sh. */

    @TestHTTPResource("/")
    URL root;

    @Test
    void pageAndAssetsCarryTheContentSecurityPolicy() {
        for (String path : List.of("/", "/index.html", "/js/main.js", "/js/console.js", "/js/pages/devices.js",
                "/vendor/novnc/core/rfb.js", "/vendor/novnc/vendor/pako/lib/zlib/inflate.js", "/css/cam.css")) {
            Response r = given().get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            String csp = r.header("Content-Security-Policy");
            assertThat(csp).as(path).contains("script-src 'self'", "connect-src 'self' wss:", "frame-ancestors 'none'",
                    "object-src 'none'").doesNotContain("unsafe-inline", "unsafe-eval");
            assertThat(r.header("X-Frame-Options")).as(path).isEqualTo("DENY");
            assertThat(r.header("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
        }
        Response page = given().get("/");
        assertThat(page.contentType()).startsWith("text/html");
        String html = page.asString();
        assertThat(html).contains("<script type=\"module\" src=\"js/main.js\">");
        // noVNC from this origin, as npm ci fetched it at build time: no other origin anywhere in the page's code.
        assertThat(given().get("/vendor/novnc/core/rfb.js").asString()).contains("export default class RFB");
        assertThat(given().get("/js/console.js").asString()).contains("../vendor/novnc/core/rfb.js")
                .doesNotContain("from 'http", "import('http");
        assertThat(given().get("/js/rfb.js").statusCode()).as("the hand-written RFB client is gone").isEqualTo(404);
        // No inline script and no inline event handlers: the policy would block them anyway.
        assertThat(Pattern.compile("<script(?![^>]*\\bsrc=)", Pattern.CASE_INSENSITIVE).matcher(html).find()).isFalse();
        assertThat(Pattern.compile("\\son[a-z]+\\s*=", Pattern.CASE_INSENSITIVE).matcher(html).find()).isFalse();
        // The API keeps its own answers (Swagger UI under /q needs inline scripts: the policy is the UI's only).
        assertThat(given().get("/api/v1/auth/whoami").header("Content-Security-Policy")).isNull();
        assertThat(given().get("/q/health/live").header("Content-Security-Policy")).isNull();
    }

    @Test
    void umaLogsInSeesHerTargetsConnectsAndLogsOut() throws Exception {
        Api.syncLdap();
        String tag = Api.unique("ui");
        // An RFB server's banner at their endpoint: the probe finds them Available.
        RfbBanner rfb = RfbBanner.start("127.0.90.12", RfbBanner.RFB);
        long full = target(rfb, tag + "-full", "SHARED");
        long view = target(rfb, tag + "-view", "SHARED");
        long exclusive = target(rfb, tag + "-excl", "EXCLUSIVE");
        // A name that would be markup if the page used innerHTML.
        long markup = target(rfb, tag + "-<b>bold</b>", "SHARED");
        Api.grant(Api.groupId("cam-users"), Api.createSet(tag + "-set-full", full, exclusive, markup), "FULL_CONTROL");
        Api.grant(Api.groupId("lab-team"), Api.createSet(tag + "-set-view", view), "VIEW_ONLY");

        try (Chromium chrome = Chromium.start(List.of())) {
            chrome.navigate(root.toString());
            awaitTrue(chrome, "!document.getElementById('login-view').hidden");
            login(chrome, Api.unique("nobody"), "wrong-password");
            await().atMost(Duration.ofSeconds(30)).until(() -> text(chrome, "messages").contains("Login failed"));

            login(chrome, "uma", Api.DEMO_PASSWORD);
            awaitTrue(chrome, "document.querySelector('#targets-table tr[data-target-id=\"" + full + "\"]') !== null");
            assertThat(text(chrome, "who")).startsWith("uma (");
            // uma is a user: no operator or administrator pages.
            assertThat(chrome.eval("[...document.querySelectorAll('#nav .tab')].map(t => t.dataset.view).join()")
                    .asText()).isEqualTo("mytargets,sessions");

            assertThat(row(chrome, full)).containsExactly(tag + "-full", "Available", "Full control", "Control View");
            assertThat(row(chrome, view)).containsExactly(tag + "-view", "Available", "View only", "View");
            assertThat(row(chrome, markup).get(0)).isEqualTo(tag + "-<b>bold</b>");
            assertThat(chrome.eval("document.querySelectorAll('#targets-table b').length").asInt()).isZero();

            // A view session: the one-time password, the vncviewer hint and the countdown.
            click(chrome, view, "button.view");
            awaitTrue(chrome, "!document.getElementById('connect-panel').hidden");
            assertThat(text(chrome, "connect-password")).hasSize(8);
            assertThat(text(chrome, "connect-hint")).matches("vncviewer \\S+:\\d+");
            assertThat(text(chrome, "connect-expiry")).matches("Use it within \\d+ s .*");
            assertThat(text(chrome, "connect-mode")).isEqualTo("view only");
            JsonNode mine = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    Api.demo("uma").get("/api/v1/sessions?state=PENDING&targetId=" + view).asString());
            assertThat(mine.path("items")).hasSize(1);

            // EXCLUSIVE: the second request is refused (409), and the page says so.
            click(chrome, exclusive, "button.control");
            awaitTrue(chrome, "!document.getElementById('connect-panel').hidden"
                    + " && document.getElementById('connect-target').textContent.endsWith('-excl')");
            click(chrome, exclusive, "button.control");
            await().atMost(Duration.ofSeconds(30)).until(() -> text(chrome, "messages").startsWith("409"));
            assertThat(text(chrome, "messages")).contains("exclusive");

            // The console's WebSocket cannot connect (nothing listens there): the user is told how to accept
            // a self-signed broker certificate.
            int closed;
            try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
                closed = s.getLocalPort();
            }
            chrome.eval("window.__closed = null; import('/js/console.js').then(m => m.openConsole("
                    + "document.getElementById('console-view'), {url: 'wss://127.0.0.1:" + closed + "/', ticket: 'x',"
                    + " title: 't', viewOnly: true,"
                    + " onClose: (reason, error) => { window.__closed = (error ? 'error: ' : '') + reason; }})); true");
            String reason = await().atMost(Duration.ofSeconds(30)).until(
                    () -> chrome.evalString("window.__closed"), r -> r != null);
            assertThat(reason).startsWith("error: Could not connect to the broker")
                    .contains("open https://127.0.0.1:" + closed + "/ once");

            assertThat(chrome.cspViolations()).as("nothing the page does is blocked by its policy").isEqualTo("[]");
            chrome.eval("document.getElementById('logout').click(); true");
            awaitTrue(chrome, "!document.getElementById('login-view').hidden");
            assertThat(chrome.eval("sessionStorage.getItem('cam.tokens')").isNull()).isTrue();
            // Reloading does not bring the session back.
            chrome.navigate(root.toString());
            awaitTrue(chrome, "document.readyState === 'complete' && !document.getElementById('login-view').hidden");
            assertThat(text(chrome, "who")).isEmpty();
        } finally {
            rfb.close();
        }
    }

    @Test
    void operatorSeesDevicesAlarmsAndActiveSessions() throws Exception {
        try (Chromium chrome = Chromium.start(List.of())) {
            chrome.navigate(root.toString());
            awaitTrue(chrome, "!document.getElementById('login-view').hidden");
            login(chrome, "otto", Api.DEMO_PASSWORD);
            awaitTrue(chrome, "!document.getElementById('targets-view').hidden");
            assertThat(chrome.eval("[...document.querySelectorAll('#nav .tab')].map(t => t.dataset.view).join()")
                    .asText()).isEqualTo("mytargets,targets,devices,scans,alarms,sessions");
            for (String view : List.of("devices", "alarms", "sessions")) {
                chrome.eval("document.querySelector('#nav .tab[data-view=\"" + view + "\"]').click(); true");
                awaitTrue(chrome, "document.getElementById('page').dataset.ready === '" + view + "'"
                        + " && document.querySelector('#" + view + "-table tbody tr') !== null");
            }
            assertThat(text(chrome, "messages")).isEmpty();
            assertThat(chrome.cspViolations()).isEqualTo("[]");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static long target(RfbBanner rfb, String name, String policy) {
        return Api.admin().body(Map.of("name", name, "host", rfb.host(), "port", rfb.port(), "accessPolicy", policy))
                .post("/api/v1/targets").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private static void login(Chromium chrome, String user, String password) throws Exception {
        chrome.eval("document.getElementById('username').value = " + js(user) + ";"
                + "document.getElementById('password').value = " + js(password) + ";"
                + "document.getElementById('login-form').requestSubmit(); true");
    }

    private static void click(Chromium chrome, long target, String selector) throws Exception {
        chrome.eval("document.querySelector('#targets-table tr[data-target-id=\"" + target + "\"] " + selector
                + "').click(); true");
    }

    private static List<String> row(Chromium chrome, long target) throws Exception {
        JsonNode cells = chrome.eval("[...document.querySelectorAll('#targets-table tr[data-target-id=\"" + target
                + "\"] td')].map(td => td.textContent.trim() || [...td.querySelectorAll('button')]"
                + ".map(b => b.textContent).join(' '))");
        List<String> out = new java.util.ArrayList<>();
        cells.forEach(c -> out.add(c.asText()));
        // The last cell holds the buttons: their labels, space separated.
        if (!out.isEmpty()) {
            JsonNode buttons = chrome.eval("[...document.querySelectorAll('#targets-table tr[data-target-id=\""
                    + target + "\"] td.actions button')].map(b => b.textContent).join(' ')");
            out.set(out.size() - 1, buttons.asText());
        }
        return out;
    }

    private static String text(Chromium chrome, String id) throws Exception {
        return chrome.evalString("document.getElementById('" + id + "').textContent.trim()");
    }

    private static void awaitTrue(Chromium chrome, String expression) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> chrome.eval(expression).asBoolean());
    }

    private static String js(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
