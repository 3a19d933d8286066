package org.cam.management.ui;

import org.cam.testsupport.browser.Chromium;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the page tests do in the web UI: open a page, click, fill a dialog, search a list, check a page. */
final class Pages {
    static final Path SHOTS = Path.of("target/ui-screenshots");
    static final Path AXE = Path.of("target/web/node_modules/axe-core/axe.min.js");

    private Pages() {
    }

    static void login(Chromium chrome, String user, String password) throws Exception {
        awaitTrue(chrome, "!document.getElementById('login-view').hidden");
        chrome.eval("document.getElementById('username').value = " + js(user) + ";"
                + "document.getElementById('password').value = " + js(password) + ";"
                + "document.getElementById('login-form').requestSubmit(); true");
    }

    static void open(Chromium chrome, String page) throws Exception {
        chrome.eval("location.hash = '#" + page + "'; true");
        awaitTrue(chrome, "document.getElementById('page').dataset.ready === '" + page + "'");
    }

    static void click(Chromium chrome, String selector) throws Exception {
        chrome.eval("document.querySelector(" + js(selector) + ").click(); true");
    }

    /** Fills the open dialog's fields by name and submits it (no fields: a confirmation). */
    static void fill(Chromium chrome, Map<String, String> values) throws Exception {
        awaitTrue(chrome, "document.querySelector('dialog[open]') !== null");
        StringBuilder s = new StringBuilder("(() => { const d = document.querySelector('dialog[open]');");
        new LinkedHashMap<>(values).forEach((k, v) -> s.append(" d.querySelector('[name=\"").append(k)
                .append("\"]').value = ").append(js(v)).append(";"));
        s.append(" d.querySelector('form').requestSubmit(); return true; })()");
        chrome.eval(s.toString());
        awaitTrue(chrome, "document.querySelector('dialog[open]') === null");
    }

    /** Searches a paged table by name until a row matches (the list reloads after the action). */
    static void searchUntilRow(Chromium chrome, String table, String name, String selector) throws Exception {
        awaitTrue(chrome, "(() => { const t = document.querySelector('#" + table + "-table');"
                + " if (t.textContent.includes(" + js(name) + ") && t.querySelector(" + js(selector) + ")) { return true; }"
                + " document.querySelector('#" + table + "-f-q').value = " + js(name) + ";"
                + " document.querySelector('#" + table + " form[role=search]').requestSubmit(); return false; })()");
    }

    /** axe-core on the page as it is: no serious or critical violation; then a screenshot. */
    static void check(Chromium chrome, String page) throws Exception {
        assertThat(chrome.accessibilityViolations(AXE)).as("axe-core serious/critical violations on " + page).isEmpty();
        chrome.screenshot(SHOTS.resolve(page + ".png"));
    }

    static void awaitTrue(Chromium chrome, String expression) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> chrome.eval(expression).asBoolean());
    }

    static String js(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
