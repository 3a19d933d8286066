package org.cam.management.ui;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import org.cam.management.support.Api;
import org.cam.management.support.InMemoryLdap;
import org.cam.testsupport.browser.Chromium;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The administration pages in headless Chromium against this test server, each clicked through as an administrator
 * and checked in the API: a local user, a group with that member, a target, a set holding it and a grant, all made
 * in the page, and the user then sees the target through the API; effective access explains why; an LDAP dry run
 * shows its diff before anything is applied; an alarm is acknowledged; the audit is exported. Every page is checked
 * with axe-core (no serious or critical violation) and photographed into target/ui-screenshots.
 */
@QuarkusTest
class AdminPagesTest {
    private static final Path SHOTS = Path.of("target/ui-screenshots");
    private static final Path AXE = Path.of("target/web/node_modules/axe-core/axe.min.js");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL root;

    static Chromium chrome;

    @BeforeAll
    static void browser() throws Exception {
        chrome = Chromium.start(List.of());
        Files.createDirectories(SHOTS);
    }

    @AfterAll
    static void close() throws Exception {
        if (chrome != null) {
            chrome.close();
        }
    }

    @Test
    void administratorRunsEveryPageAndTheApiShowsTheResult() throws Exception {
        Api.syncLdap();
        String tag = Api.unique("adm");
        String user = tag.replace('-', '_');
        String group = tag + "-team";
        String set = tag + "-set";
        String target = tag + "-server";

        chrome.navigate(root.toString());
        awaitTrue("!document.getElementById('login-view').hidden");
        chrome.eval("document.getElementById('username').value = 'admin';"
                + "document.getElementById('password').value = " + js(Api.ADMIN_PASSWORD) + ";"
                + "document.getElementById('login-form').requestSubmit(); true");
        awaitTrue("document.getElementById('page').dataset.ready === 'mytargets'");
        assertThat(chrome.evalString("[...document.querySelectorAll('#nav .tab')].map(t => t.dataset.view).join()"))
                .isEqualTo("mytargets,targets,users,groups,access,ldap,devices,scans,alarms,sessions,audit,replication");
        check("mytargets");

        // Users: a local user.
        open("users");
        click("button.new-user");
        fill(Map.of("username", user, "password", "a-long-password", "roles", "user"));
        awaitTrue("document.querySelector('#users-table tr[data-username=\"" + user + "\"]') !== null"
                + " || (document.querySelector('#users-f-q').value = " + js(user) + ","
                + " document.querySelector('#users form[role=search]').requestSubmit(), false)");
        long userId = Api.admin().queryParam("q", user).get("/api/v1/users").jsonPath().getLong("items[0].id");
        check("users");

        // Groups: a local group with that member.
        open("groups");
        click("button.new-group");
        fill(Map.of("name", group));
        searchUntilRow("groups", group, "tr[data-name=\"" + group + "\"]");
        chrome.eval("document.querySelector('#groups-table tr[data-name=\"" + group + "\"] button.add-member').click(); true");
        fill(Map.of("user", user));
        awaitTrue("document.querySelector('#groups-table tr[data-name=\"" + group + "\"] ul.members')"
                + ".textContent.includes(" + js(user) + ")");
        check("groups");

        // Targets: an RFB endpoint, a set, the target in the set.
        open("targets");
        click("button.new-target");
        fill(Map.of("name", target, "host", "127.0.90.20", "port", "30590", "locationTags", "rack-1, dc-2"));
        searchUntilRow("admin-targets", target, "td");
        long targetId = Api.admin().queryParam("q", target).get("/api/v1/targets").jsonPath().getLong("items[0].id");
        assertThat(Api.admin().get("/api/v1/targets/" + targetId).jsonPath().getList("locationTags", String.class))
                .containsExactlyInAnyOrder("rack-1", "dc-2");
        click("button.new-set");
        fill(Map.of("name", set));
        searchUntilRow("sets", set, "tr[data-set-id] button.add-member");
        chrome.eval("document.querySelector('#sets-table tr[data-set-id] button.add-member').click(); true");
        fill(Map.of("target", target));
        awaitTrue("document.querySelector('#sets-table ul.members') !== null"
                + " && document.querySelector('#sets-table ul.members').textContent.includes(" + js(target) + ")");
        check("targets");

        // Access: the grant, then the user sees the target (through the API, as they would after logging in).
        open("access");
        click("button.new-grant");
        fill(Map.of("group", group, "set", set, "accessLevel", "VIEW_ONLY"));
        awaitTrue("[...document.querySelectorAll('#grants-table td')].some(td => td.textContent === " + js(set) + ")");
        JsonNode mine = JSON.readTree(Api.as(user, "a-long-password").get("/api/v1/me/targets").asString());
        assertThat(mine.path("items")).hasSize(1);
        assertThat(mine.path("items").get(0).path("name").asText()).isEqualTo(target);
        assertThat(mine.path("items").get(0).path("access").asText()).isEqualTo("VIEW_ONLY");
        // Effective access explains it, both ways.
        chrome.eval("document.getElementById('effective-user').value = " + js(user) + ";"
                + " document.getElementById('effective-user-form').requestSubmit(); true");
        awaitTrue("document.querySelector('#effective-table tr[data-target-id=\"" + targetId + "\"]') !== null");
        assertThat(chrome.evalString("document.querySelector('#effective-table tr[data-target-id=\"" + targetId
                + "\"]').textContent")).contains("VIEW_ONLY", "group " + group + " -> set " + set);
        chrome.eval("document.getElementById('effective-target').value = " + js(target) + ";"
                + " document.getElementById('effective-target-form').requestSubmit(); true");
        awaitTrue("document.querySelector('#effective-table tr[data-username=\"" + user + "\"]') !== null");
        check("access");

        // LDAP: a new person in the directory; the dry run shows it as a diff and changes nothing.
        String newcomer = "ldapnew" + Math.abs(tag.hashCode() % 100000);
        InMemoryLdap.server().add("dn: uid=" + newcomer + ",ou=people,dc=cam,dc=test", "objectClass: inetOrgPerson",
                "uid: " + newcomer, "cn: New", "sn: N", "userPassword: camdemo");
        try {
            open("ldap");
            click("button.dry-run");
            awaitTrue("document.getElementById('ldap-diff') !== null");
            assertThat(chrome.evalString("document.getElementById('ldap-diff').textContent"))
                    .contains("Dry run", "+ user created: " + newcomer);
            assertThat(Api.admin().queryParam("q", newcomer).get("/api/v1/users").jsonPath().getInt("total"))
                    .as("a dry run changes nothing").isZero();
            check("ldap");
        } finally {
            InMemoryLdap.server().delete("uid=" + newcomer + ",ou=people,dc=cam,dc=test");
        }

        // Alarms: one raised by a service, acknowledged in the page.
        String key = Api.unique("ui.ALARM");
        Map<String, Object> raise = new HashMap<>(Map.of("action", "RAISE", "alarm", key, "state", "PRIMARY_DOWN",
                "severity", "CRITICAL", "since", Instant.now().toString(), "at", Instant.now().toString(),
                "detail", "raised for the UI test", "source", "replication-monitor"));
        long alarmId = given().auth().oauth2("test-replication-token").contentType("application/json").body(raise)
                .post("/api/v1/internal/alarms").then().statusCode(200).extract().jsonPath().getLong("id");
        open("alarms");
        awaitTrue("document.querySelector('#alarms-table tr[data-alarm-id=\"" + alarmId + "\"] button.ack') !== null");
        check("alarms");
        chrome.eval("document.querySelector('#alarms-table tr[data-alarm-id=\"" + alarmId + "\"] button.ack').click(); true");
        await().atMost(Duration.ofSeconds(30)).until(() -> "admin".equals(Api.admin().queryParam("key", key)
                .get("/api/v1/alarms").jsonPath().getString("items[0].acknowledgedBy")));

        open("devices");
        check("devices");
        open("sessions");
        check("sessions");

        // Audit: what the page did is there, and the CSV export carries it.
        open("audit");
        chrome.eval("document.getElementById('audit-f-action').value = 'GRANT_CREATE';"
                + " document.querySelector('#audit form[role=search]').requestSubmit(); true");
        awaitTrue("document.querySelector('#audit-table').textContent.includes(" + js(set) + ")");
        check("audit");
        chrome.eval("window.__csv = null; const orig = URL.createObjectURL;"
                + " URL.createObjectURL = (b) => { b.text().then(t => { window.__csv = t; }); return orig(b); };"
                + " document.querySelector('button.export-csv').click(); true");
        String csv = await().atMost(Duration.ofSeconds(30)).until(() -> chrome.evalString("window.__csv"),
                c -> c != null);
        assertThat(csv.lines().findFirst().orElse("")).contains("actor");
        assertThat(csv).contains("GRANT_CREATE").contains(set);

        // Replication and discovery scans reach other services; this test server is configured with neither, and
        // the pages say so (the services themselves: system-tests' BrowserConsoleIT).
        open("replication");
        awaitTrue("document.getElementById('messages').textContent.includes('replication-monitor is not configured')");
        given().auth().preemptive().basic("admin", Api.ADMIN_PASSWORD).get("/api/v1/replication/status").then()
                .statusCode(503).contentType("application/problem+json");
        open("scans");
        awaitTrue("document.getElementById('messages').textContent.includes('discovery-service is not configured')");

        assertThat(chrome.cspViolations()).as("nothing the pages do is blocked by the policy").isEqualTo("[]");
        assertThat(chrome.evalString("document.getElementById('messages').textContent")).doesNotContain("500");
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private void open(String page) throws Exception {
        chrome.eval("location.hash = '#" + page + "'; true");
        awaitTrue("document.getElementById('page').dataset.ready === '" + page + "'");
    }

    private static void click(String selector) throws Exception {
        chrome.eval("document.querySelector(" + js(selector) + ").click(); true");
    }

    /** Fills the open dialog's fields by name and submits it. */
    private static void fill(Map<String, String> values) throws Exception {
        awaitTrue("document.querySelector('dialog[open]') !== null");
        StringBuilder s = new StringBuilder("(() => { const d = document.querySelector('dialog[open]');");
        new LinkedHashMap<>(values).forEach((k, v) -> s.append(" d.querySelector('[name=\"").append(k)
                .append("\"]').value = ").append(js(v)).append(";"));
        s.append(" d.querySelector('form').requestSubmit(); return true; })()");
        chrome.eval(s.toString());
        awaitTrue("document.querySelector('dialog[open]') === null");
    }

    /** Searches a paged table by name until a row matches (the list reloads after the action). */
    private static void searchUntilRow(String table, String name, String selector) throws Exception {
        awaitTrue("(() => { const t = document.querySelector('#" + table + "-table');"
                + " if (t.textContent.includes(" + js(name) + ") && t.querySelector(" + js(selector) + ")) { return true; }"
                + " document.querySelector('#" + table + "-f-q').value = " + js(name) + ";"
                + " document.querySelector('#" + table + " form[role=search]').requestSubmit(); return false; })()");
    }

    /** axe-core on the page as it is: no serious or critical violation; then a screenshot. */
    private static void check(String page) throws Exception {
        assertThat(chrome.accessibilityViolations(AXE)).as("axe-core serious/critical violations on " + page).isEmpty();
        chrome.screenshot(SHOTS.resolve(page + ".png"));
    }

    private static void awaitTrue(String expression) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> chrome.eval(expression).asBoolean());
    }

    private static String js(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
