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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.cam.systemtests.SuiteStack.DEMO_PASSWORD;
import static org.cam.systemtests.SuiteStack.items;

/**
 * Sessions survive their broker: two session-broker replicas from the reactor's jar behind the demo's broker-proxy
 * (HAProxy: least connections, readiness checks, PROXY protocol), management-api and a simulated device
 * ({@link SuiteStack}), and the web UI's console (noVNC) in headless Chromium. The broker carrying a console is
 * stopped with SIGTERM (it drains and asks the console to resume), then killed with SIGKILL (the console sees the
 * connection drop): each time the console is back on the other replica and keys typed afterwards reach the device,
 * and the session shows both legs. An operator's disconnect is never undone by a resume. Last, twenty consoles
 * through a rolling restart of both replicas, one after the other: every console survives. The time each console
 * took to come back (from losing its broker to noVNC's connect) is printed as RESUME FIGURES for
 * docs/performance.md; the refusals (someone else's session, an ended one, a closed window) are management-api's
 * SessionResumeTest.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SessionResumeIT {
    private static final String USER = "uma";
    private static final int CONSOLES = 20;

    // Addresses, ports and database of its own: other system tests may run in the same build.
    @RegisterExtension
    static final SuiteStack STACK = new SuiteStack(new SuiteStack.Spec("resume", "127.0.103.1", 19643, 15990, 2,
            "cam_resume", List.of("--seed", "103"))).brokerReplicas(2);

    private static final List<Long> targetIds = new ArrayList<>();
    private static final List<Long> resumeMillis = new ArrayList<>();
    private static Chromium chrome;

    @BeforeAll
    @Timeout(value = 15, unit = TimeUnit.MINUTES)
    static void startServices() throws Exception {
        STACK.start();
        targetIds.addAll(STACK.enrolDeviceAndGrantCamUsers());
        chrome = Chromium.start(List.of("--ignore-certificate-errors"));
        chrome.navigate(STACK.managementUrl() + "/");
        awaitTrue("!document.getElementById('login-view').hidden");
        chrome.eval("document.getElementById('username').value = '" + USER + "';"
                + "document.getElementById('password').value = '" + DEMO_PASSWORD + "';"
                + "document.getElementById('login-form').requestSubmit(); true");
        awaitTrue("document.getElementById('page').dataset.ready === 'mytargets'");
        for (long t : targetIds) {
            awaitTrue("(() => { const s = document.querySelector('#targets-table tr[data-target-id=\"" + t
                    + "\"] td.status'); if (!s || s.textContent !== 'Available') {"
                    + " document.querySelector('#targets-view .refresh').click(); return false; }"
                    + " return true; })()");
        }
    }

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
    void aConsoleSurvivesItsBrokersSigtermAndKeysReachTheDeviceAfterwards() throws Exception {
        long target = targetIds.get(0);
        openConsole(target, "control");
        int baseline = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(SessionResumeIT::keysLineInkEnd, x -> x > 0);
        JsonNode before = session(target);
        SuiteStack.BrokerReplica carrying = STACK.broker(before.path("brokerId").asText());

        STACK.stopBroker(carrying);
        System.out.println("RESUME FIGURES: SIGTERM of the carrying broker: back in "
                + awaitResumed("#console-view", 1) + " ms");
        chrome.type('r');
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(SessionResumeIT::keysLineInkEnd, x -> x > baseline);

        JsonNode after = session(target);
        assertThat(after.path("id").asText()).isEqualTo(before.path("id").asText());
        assertThat(after.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(after.path("brokerId").asText()).isNotEqualTo(carrying.id);
        assertThat(after.path("legCount").asInt()).isEqualTo(2);
        JsonNode legs = after.path("legs");
        assertThat(legs.get(0).path("brokerId").asText()).isEqualTo(carrying.id);
        assertThat(legs.get(0).path("endReason").asText()).isEqualTo("broker_drained");
        assertThat(legs.get(0).path("bytesFromDevice").asLong()).as("the drained leg reported its bytes").isPositive();
        STACK.startBroker(carrying);
    }

    @Test
    @Order(2)
    void aConsoleSurvivesItsBrokerBeingKilled() throws Exception {
        long target = targetIds.get(0);
        int baseline = keysLineInkEnd();
        JsonNode before = session(target);
        SuiteStack.BrokerReplica carrying = STACK.broker(before.path("brokerId").asText());

        STACK.killBroker(carrying);
        System.out.println("RESUME FIGURES: SIGKILL of the carrying broker: back in "
                + awaitResumed("#console-view", 2) + " ms");
        chrome.type('k');
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(SessionResumeIT::keysLineInkEnd, x -> x > baseline);

        JsonNode after = session(target);
        assertThat(after.path("id").asText()).isEqualTo(before.path("id").asText());
        assertThat(after.path("state").asText()).isEqualTo("ACTIVE");
        assertThat(after.path("legCount").asInt()).isEqualTo(3);
        JsonNode killed = after.path("legs").get(1);
        assertThat(killed.path("brokerId").asText()).isEqualTo(carrying.id);
        assertThat(killed.path("endReason").asText()).isEqualTo("resumed on " + after.path("brokerId").asText());
        STACK.startBroker(carrying);
    }

    @Test
    @Order(3)
    void anOperatorsDisconnectIsNotUndone() throws Exception {
        long target = targetIds.get(0);
        String id = session(target).path("id").asText();
        String resumes = chrome.evalString("document.getElementById('console-view').dataset.resumes");
        STACK.send(STACK.admin("/api/v1/sessions/" + id + "?message=maintenance").DELETE(), 202);
        awaitTrue("!document.getElementById('console-reason').hidden");
        assertThat(chrome.evalString("document.getElementById('console-reason').textContent"))
                .contains("admin_disconnect");
        JsonNode ended = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> session(target), s -> "ENDED".equals(s.path("state").asText()));
        assertThat(ended.path("endReason").asText()).startsWith("admin_disconnect");
        assertThat(chrome.evalString("document.getElementById('console-view').dataset.resumes")).isEqualTo(resumes);
        assertThat(STACK.http().send(STACK.as(USER, DEMO_PASSWORD, "/api/v1/sessions/" + id + "/resume")
                .POST(SuiteStack.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode())
                .isEqualTo(409);
        chrome.eval("document.getElementById('console-back').click(); true");
    }

    @Test
    @Order(4)
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void twentyConsolesSurviveARollingRestartOfBothBrokers() throws Exception {
        // Twenty consoles in the page, each the web UI's own (console.js, noVNC) on a view session of its own.
        chrome.eval("(async () => { const { openConsole } = await import('/js/console.js');"
                + " const api = await import('/js/api.js'); const targets = " + targetIds + ";"
                + " window.__consoles = [];"
                + " for (let i = 0; i < " + CONSOLES + "; i++) {"
                + "  const box = document.createElement('div'); box.className = 'rolling'; box.id = 'rolling-' + i;"
                + "  document.body.appendChild(box);"
                + "  const a = await api.post('/api/v1/sessions', { targetId: targets[i % targets.length], mode: 'view' });"
                + "  openConsole(box, { url: a.websocketUrl, ticket: a.ticket, title: 'rolling ' + i, viewOnly: true,"
                + "   clipboard: a.clipboard, onResume: () => api.post('/api/v1/sessions/' + a.sessionId + '/resume') });"
                + "  window.__consoles.push(a.sessionId); } return true; })()");
        awaitTrue("document.querySelectorAll('.rolling[data-state=connected]').length === " + CONSOLES);

        for (SuiteStack.BrokerReplica b : STACK.brokers()) {
            java.util.Map<String, Integer> moving = new java.util.LinkedHashMap<>();
            for (String box : consolesOn(b.id)) {
                moving.put(box, chrome.eval("Number(document.getElementById('" + box + "').dataset.resumes || 0)")
                        .asInt());
            }
            assertThat(moving).as("consoles on " + b.id).isNotEmpty();
            STACK.stopBroker(b);
            for (java.util.Map.Entry<String, Integer> m : moving.entrySet()) {
                resumeMillis.add(awaitResumed("#" + m.getKey(), m.getValue() + 1));
            }
            awaitTrue("document.querySelectorAll('.rolling[data-state=connected]').length === " + CONSOLES);
            STACK.startBroker(b);
        }
        // Every console is still the session it was, connected, and never ended.
        assertThat(chrome.eval("document.querySelectorAll('.rolling .reason:not([hidden])').length").asInt()).isZero();
        for (JsonNode s : items(STACK.json(STACK.admin("/api/v1/sessions?state=ACTIVE&size=100").GET(), 200))) {
            assertThat(s.path("legCount").asInt()).as("session " + s.path("id").asText()).isGreaterThanOrEqualTo(2);
        }
        assertThat(items(STACK.json(STACK.admin("/api/v1/sessions?state=ACTIVE&size=100").GET(), 200)))
                .hasSize(CONSOLES);
        List<Long> sorted = new ArrayList<>(resumeMillis);
        sorted.sort(null);
        System.out.println("RESUME FIGURES: rolling restart under " + CONSOLES + " consoles, " + sorted.size()
                + " resumes; p50 " + sorted.get(sorted.size() / 2)
                + " ms, worst " + sorted.get(sorted.size() - 1) + " ms; all " + sorted);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** The ids of the rolling consoles whose session the broker carries now. */
    private static List<String> consolesOn(String brokerId) throws Exception {
        List<String> boxes = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        chrome.eval("window.__consoles").forEach(n -> ids.add(n.asText()));
        for (int i = 0; i < ids.size(); i++) {
            JsonNode s = STACK.json(STACK.admin("/api/v1/sessions/" + ids.get(i)).GET(), 200);
            if (brokerId.equals(s.path("brokerId").asText())) {
                boxes.add("rolling-" + i);
            }
        }
        return boxes;
    }

    /**
     * The console in {@code selector} has resumed {@code count} times and is connected again; its time to come back
     * is kept for the figures.
     */
    private static long awaitResumed(String selector, int count) throws Exception {
        String box = "document.querySelector('" + selector + "')";
        awaitTrue(box + ".dataset.resumes === '" + count + "' && " + box + ".dataset.state === 'connected'");
        return Long.parseLong(chrome.evalString(box + ".dataset.lastResumeMillis"));
    }

    private static void openConsole(long target, String mode) throws Exception {
        chrome.eval("document.querySelector('#targets-table tr[data-target-id=\"" + target + "\"] button." + mode
                + "').click(); true");
        awaitTrue("!document.getElementById('connect-panel').hidden && !document.getElementById('open-console').disabled");
        chrome.eval("document.getElementById('open-console').click(); true");
        awaitTrue("document.getElementById('console-status').textContent.startsWith('connected to ')");
    }

    /** The newest session on the target, with its legs. */
    private static JsonNode session(long target) throws Exception {
        JsonNode newest = null;
        for (JsonNode s : items(STACK.json(STACK.admin("/api/v1/sessions?targetId=" + target).GET(), 200))) {
            if (newest == null || s.path("createdAt").asText().compareTo(newest.path("createdAt").asText()) > 0) {
                newest = s;
            }
        }
        assertThat(newest).as("a session on target " + target).isNotNull();
        return STACK.json(STACK.admin("/api/v1/sessions/" + newest.path("id").asText()).GET(), 200);
    }

    /** Rightmost canvas column in the device's keys line colour (0x06d6a0), rows 236..268 (as BrowserConsoleIT). */
    private static int keysLineInkEnd() throws Exception {
        return ConsolePage.keysLineInkEnd(chrome);
    }

    private static void awaitTrue(String expression) throws Exception {
        ConsolePage.awaitTrue(chrome, expression);
    }
}
