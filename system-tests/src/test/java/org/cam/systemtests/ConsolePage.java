package org.cam.systemtests;

import org.cam.testsupport.browser.Chromium;

import java.time.Duration;

import static org.awaitility.Awaitility.await;

/** What the browser system tests read from the web UI's console page and the simulated device's screen on it. */
final class ConsolePage {
    private ConsolePage() {
    }

    /**
     * Rightmost column of the console's canvas in the simulated device's "keys" line colour (0x06d6a0) in rows
     * 236..268, or -1: it moves right with every key the device received (as SessionEndToEndIT reads it).
     */
    static int keysLineInkEnd(Chromium chrome) throws Exception {
        return chrome.eval("(() => { const c = document.getElementById('console-canvas');"
                + " const d = c.getContext('2d').getImageData(0, 236, c.width, 33).data; let end = -1;"
                + " for (let i = 0; i < d.length; i += 4) {"
                + "  if (Math.abs(d[i] - 0x06) < 24 && Math.abs(d[i + 1] - 0xd6) < 24 && Math.abs(d[i + 2] - 0xa0) < 24)"
                + "   { end = Math.max(end, (i / 4) % c.width); } }"
                + " return end; })()").asInt();
    }

    /** Waits (up to a minute) until the page expression is true; the failure says what the page showed. */
    static void awaitTrue(Chromium chrome, String expression) throws Exception {
        try {
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> chrome.eval(expression).asBoolean());
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("page never met: " + expression + "\npage: " + chrome.evalString(
                    "['messages', 'console-status', 'console-reason'].map(id => id + '=' +"
                    + " (document.getElementById(id) || {}).textContent).join(' | ')"), e);
        }
    }
}
