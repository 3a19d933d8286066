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
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URL root;

    static Chromium chrome;

    @BeforeAll
    static void browser() throws Exception {
        chrome = Chromium.start(List.of());
        Files.createDirectories(Pages.SHOTS);
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
        Pages.awaitTrue(chrome, "!document.getElementById('login-view').hidden");
        chrome.eval("document.getElementById('username').value = 'admin';"
                + "document.getElementById('password').value = " + Pages.js(Api.ADMIN_PASSWORD) + ";"
                + "document.getElementById('login-form').requestSubmit(); true");
        Pages.awaitTrue(chrome, "document.getElementById('page').dataset.ready === 'mytargets'");
        assertThat(chrome.evalString("[...document.querySelectorAll('#nav .tab')].map(t => t.dataset.view).join()"))
                .isEqualTo("mytargets,targets,users,groups,access,ldap,devices,scans,alarms,sessions,audit,recordings,"
                        + "replication");
        Pages.check(chrome, "mytargets");

        // A page that loads slowly must not land on top of the page the user moved on to: Users (its module not
        // fetched yet) and at once Targets (loaded already, so it is shown first); once the Users module has arrived,
        // Targets is still what the page shows.
        Pages.open(chrome, "targets");
        // (The second change waits for the first one's hashchange: two changes in one task are both handled at the
        // last hash. The page's own listener was added first, so Users' navigation has begun when this one runs.)
        chrome.eval("addEventListener('hashchange', () => { location.hash = '#targets'; }, { once: true });"
                + " location.hash = '#users'; true");
        Pages.awaitTrue(chrome, "document.getElementById('page').dataset.ready === 'targets'"
                + " && performance.getEntriesByName(location.origin + '/js/pages/users.js').length > 0");
        assertThat(chrome.evalString("document.getElementById('page').dataset.ready + ': '"
                + " + [...document.querySelectorAll('#page h2')].map(h => h.textContent).join()"))
                .isEqualTo("targets: Targets,Target sets");

        // Users: a local user.
        Pages.open(chrome, "users");
        Pages.click(chrome, "button.new-user");
        Pages.fill(chrome, Map.of("username", user, "password", "a-long-password", "roles", "user"));
        Pages.awaitTrue(chrome, "document.querySelector('#users-table tr[data-username=\"" + user + "\"]') !== null"
                + " || (document.querySelector('#users-f-q').value = " + Pages.js(user) + ","
                + " document.querySelector('#users form[role=search]').requestSubmit(), false)");
        long userId = Api.admin().queryParam("q", user).get("/api/v1/users").jsonPath().getLong("items[0].id");
        Pages.check(chrome, "users");

        // Groups: a local group with that member.
        Pages.open(chrome, "groups");
        Pages.click(chrome, "button.new-group");
        Pages.fill(chrome, Map.of("name", group));
        Pages.searchUntilRow(chrome, "groups", group, "tr[data-name=\"" + group + "\"]");
        long groupId = Api.groupId(group);
        String groupRow = "#groups-table tr[data-group-id=\"" + groupId + "\"]";
        String groupMember = "#group-members-" + groupId + "-table tr[data-user-id=\"" + userId + "\"]";
        Pages.click(chrome, groupRow + " button.add-member");
        Pages.fill(chrome, Map.of("user", user));
        // The row shows the count; the members open on demand, paged from the server.
        Pages.awaitTrue(chrome, "document.querySelector('" + groupRow + " .member-count').textContent === '1 member'");
        Pages.click(chrome, groupRow + " button.show-members");
        Pages.awaitTrue(chrome, "document.querySelector('" + groupMember + "') !== null"
                + " && document.querySelector('" + groupMember + "').textContent.includes(" + Pages.js(user) + ")");
        Pages.check(chrome, "groups");
        Pages.click(chrome, groupMember + " button.remove-member");
        Pages.awaitTrue(chrome, "document.querySelector('" + groupRow + " .member-count').textContent === '0 members'"
                + " && document.querySelector('" + groupMember + "') === null"
                + " && document.querySelector('#group-members-" + groupId + "-table').textContent.includes('Nothing here.')");
        assertThat(Api.admin().get("/api/v1/groups/" + groupId + "/members").jsonPath().getLong("total")).isZero();
        // Back in (the grant below needs it), and the open member list shows it again.
        Pages.click(chrome, groupRow + " button.add-member");
        Pages.fill(chrome, Map.of("user", user));
        Pages.awaitTrue(chrome, "document.querySelector('" + groupMember + "') !== null"
                + " && document.querySelector('" + groupRow + " .member-count').textContent === '1 member'");
        assertThat(Api.admin().get("/api/v1/groups/" + groupId + "/members").jsonPath()
                .getList("items.username", String.class)).containsExactly(user);

        // Targets: an RFB endpoint, a set, the target in the set.
        Pages.open(chrome, "targets");
        Pages.click(chrome, "button.new-target");
        Pages.fill(chrome, Map.of("name", target, "host", "127.0.90.20", "port", "30590", "locationTags", "rack-1, dc-2"));
        Pages.searchUntilRow(chrome, "admin-targets", target, "td");
        long targetId = Api.admin().queryParam("q", target).get("/api/v1/targets").jsonPath().getLong("items[0].id");
        assertThat(Api.admin().get("/api/v1/targets/" + targetId).jsonPath().getList("locationTags", String.class))
                .containsExactlyInAnyOrder("rack-1", "dc-2");
        Pages.click(chrome, "button.new-set");
        Pages.fill(chrome, Map.of("name", set));
        Pages.searchUntilRow(chrome, "sets", set, "tr[data-set-id] button.add-member");
        long setId = Api.admin().queryParam("q", set).get("/api/v1/target-sets").jsonPath().getLong("items[0].id");
        String setRow = "#sets-table tr[data-set-id=\"" + setId + "\"]";
        String member = "#set-members-" + setId + "-table tr[data-target-id=\"" + targetId + "\"]";
        Pages.click(chrome, setRow + " button.add-member");
        Pages.fill(chrome, Map.of("target", target));
        // The row shows the count; the members open on demand, paged from the server.
        Pages.awaitTrue(chrome, "document.querySelector('" + setRow + " .member-count').textContent === '1 target'");
        Pages.click(chrome, setRow + " button.show-members");
        Pages.awaitTrue(chrome, "document.querySelector('" + member + "') !== null"
                + " && document.querySelector('" + member + "').textContent.includes(" + Pages.js(target) + ")");
        Pages.check(chrome, "targets");
        Pages.click(chrome, member + " button.remove-member");
        Pages.awaitTrue(chrome, "document.querySelector('" + setRow + " .member-count').textContent === '0 targets'"
                + " && document.querySelector('" + member + "') === null"
                + " && document.querySelector('#set-members-" + setId + "-table').textContent.includes('Nothing here.')");
        assertThat(Api.admin().get("/api/v1/target-sets/" + setId + "/targets").jsonPath().getLong("total")).isZero();
        // Back in (the grant below needs it), and the open member list shows it again.
        Pages.click(chrome, setRow + " button.add-member");
        Pages.fill(chrome, Map.of("target", target));
        Pages.awaitTrue(chrome, "document.querySelector('" + member + "') !== null"
                + " && document.querySelector('" + setRow + " .member-count').textContent === '1 target'");
        assertThat(Api.admin().get("/api/v1/target-sets/" + setId + "/targets").jsonPath()
                .getList("items.name", String.class)).containsExactly(target);

        // Access: the grant, then the user sees the target (through the API, as they would after logging in).
        Pages.open(chrome, "access");
        Pages.click(chrome, "button.new-grant");
        Pages.fill(chrome, Map.of("group", group, "set", set, "accessLevel", "VIEW_ONLY"));
        Pages.awaitTrue(chrome, "[...document.querySelectorAll('#grants-table td')].some(td => td.textContent === " + Pages.js(set) + ")");
        JsonNode mine = JSON.readTree(Api.as(user, "a-long-password").get("/api/v1/me/targets").asString());
        assertThat(mine.path("items")).hasSize(1);
        assertThat(mine.path("items").get(0).path("name").asText()).isEqualTo(target);
        assertThat(mine.path("items").get(0).path("access").asText()).isEqualTo("VIEW_ONLY");
        // Effective access explains it, both ways.
        chrome.eval("document.getElementById('effective-user').value = " + Pages.js(user) + ";"
                + " document.getElementById('effective-user-form').requestSubmit(); true");
        Pages.awaitTrue(chrome, "document.querySelector('#effective-table tr[data-target-id=\"" + targetId + "\"]') !== null");
        assertThat(chrome.evalString("document.querySelector('#effective-table tr[data-target-id=\"" + targetId
                + "\"]').textContent")).contains("VIEW_ONLY", "group " + group + " -> set " + set);
        chrome.eval("document.getElementById('effective-target').value = " + Pages.js(target) + ";"
                + " document.getElementById('effective-target-form').requestSubmit(); true");
        Pages.awaitTrue(chrome, "document.querySelector('#effective-table tr[data-username=\"" + user + "\"]') !== null");
        Pages.check(chrome, "access");

        // LDAP: a new person in the directory; the dry run shows it as a diff and changes nothing.
        String newcomer = "ldapnew" + Math.abs(tag.hashCode() % 100000);
        InMemoryLdap.server().add("dn: uid=" + newcomer + ",ou=people,dc=cam,dc=test", "objectClass: inetOrgPerson",
                "uid: " + newcomer, "cn: New", "sn: N", "userPassword: camdemo");
        try {
            Pages.open(chrome, "ldap");
            Pages.click(chrome, "button.dry-run");
            Pages.awaitTrue(chrome, "document.getElementById('ldap-diff') !== null");
            assertThat(chrome.evalString("document.getElementById('ldap-diff').textContent"))
                    .contains("Dry run", "+ user created: " + newcomer);
            assertThat(Api.admin().queryParam("q", newcomer).get("/api/v1/users").jsonPath().getInt("total"))
                    .as("a dry run changes nothing").isZero();
            Pages.check(chrome, "ldap");
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
        Pages.open(chrome, "alarms");
        Pages.awaitTrue(chrome, "document.querySelector('#alarms-table tr[data-alarm-id=\"" + alarmId + "\"] button.ack') !== null");
        Pages.check(chrome, "alarms");
        chrome.eval("document.querySelector('#alarms-table tr[data-alarm-id=\"" + alarmId + "\"] button.ack').click(); true");
        await().atMost(Duration.ofSeconds(30)).until(() -> "admin".equals(Api.admin().queryParam("key", key)
                .get("/api/v1/alarms").jsonPath().getString("items[0].acknowledgedBy")));

        Pages.open(chrome, "devices");
        Pages.check(chrome, "devices");
        Pages.open(chrome, "sessions");
        Pages.check(chrome, "sessions");

        // Audit: what the page did is there, and the CSV and JSON exports carry it.
        Pages.open(chrome, "audit");
        chrome.eval("document.getElementById('audit-f-action').value = 'GRANT_CREATE';"
                + " document.querySelector('#audit form[role=search]').requestSubmit(); true");
        Pages.awaitTrue(chrome, "document.querySelector('#audit-table').textContent.includes(" + Pages.js(set) + ")");
        Pages.check(chrome, "audit");
        chrome.eval("window.__csv = null; const orig = URL.createObjectURL;"
                + " URL.createObjectURL = (b) => { b.text().then(t => { window.__csv = t; }); return orig(b); };"
                + " document.querySelector('button.export-csv').click(); true");
        String csv = await().atMost(Duration.ofSeconds(30)).until(() -> chrome.evalString("window.__csv"),
                c -> c != null);
        assertThat(csv.lines().findFirst().orElse("")).contains("actor");
        assertThat(csv).contains("GRANT_CREATE").contains(set);
        // and the JSON export too, with the same filter
        chrome.eval("window.__json = null; const orig2 = URL.createObjectURL;"
                + " URL.createObjectURL = (b) => { b.text().then(t => { window.__json = t; }); return orig2(b); };"
                + " document.querySelector('button.export-json').click(); true");
        String json = await().atMost(Duration.ofSeconds(30)).until(() -> chrome.evalString("window.__json"),
                j -> j != null);
        assertThat(io.restassured.path.json.JsonPath.from(json).getList("action", String.class))
                .isNotEmpty().containsOnly("GRANT_CREATE");
        assertThat(json).contains(set);

        // Replication and discovery scans reach other services; this test server is configured with neither, and
        // the pages say so (the services themselves: system-tests' BrowserConsoleIT).
        Pages.open(chrome, "replication");
        Pages.awaitTrue(chrome, "document.getElementById('messages').textContent.includes('replication-monitor is not configured')");
        given().auth().preemptive().basic("admin", Api.ADMIN_PASSWORD).get("/api/v1/replication/status").then()
                .statusCode(503).contentType("application/problem+json");
        Pages.open(chrome, "scans");
        Pages.awaitTrue(chrome, "document.getElementById('messages').textContent.includes('discovery-service is not configured')");

        assertThat(chrome.cspViolations()).as("nothing the pages do is blocked by the policy").isEqualTo("[]");
        assertThat(chrome.evalString("document.getElementById('messages').textContent")).doesNotContain("500");
    }

}
