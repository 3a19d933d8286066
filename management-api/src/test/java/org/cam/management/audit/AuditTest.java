package org.cam.management.audit;

import io.quarkus.test.junit.QuarkusTest;
import org.cam.management.support.Api;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

/** Every change through the API leaves an audit event with actor, action, object, outcome, source and details. */
@QuarkusTest
class AuditTest {

    @Test
    void changesAndLoginsAreAudited() {
        Instant from = Instant.now().minusSeconds(1);
        String name = Api.unique("aud");
        Api.login("ada", Api.DEMO_PASSWORD).then().statusCode(200);
        long target = Api.demo("ada").body(Map.of("name", name, "host", "127.0.0.1", "port", 5900))
                .post("/api/v1/targets").then().statusCode(201).extract().jsonPath().getLong("id");
        long set = Api.demo("ada").body(Map.of("name", name + "-set")).post("/api/v1/target-sets")
                .then().statusCode(201).extract().jsonPath().getLong("id");
        Api.demo("ada").put("/api/v1/target-sets/" + set + "/targets/" + target).then().statusCode(204);
        long user = Api.demo("ada").body(Map.of("username", name, "password", "password-123"))
                .post("/api/v1/users").then().statusCode(201).extract().jsonPath().getLong("id");
        Api.demo("ada").body(Map.of("password", "password-456")).put("/api/v1/users/" + user + "/password")
                .then().statusCode(204);
        Api.demo("ada").delete("/api/v1/targets/" + target).then().statusCode(204);

        var page = Api.admin().queryParam("actor", "ada").queryParam("from", from.toString()).queryParam("size", 200)
                .get("/api/v1/audit-events").then().statusCode(200).extract().jsonPath();
        List<String> actions = page.getList("items.action", String.class);
        assertThat(actions).contains("LOGIN", "TARGET_CREATE", "TARGET_SET_CREATE", "TARGET_SET_ADD", "USER_CREATE",
                "USER_PASSWORD", "TARGET_DELETE");
        List<Map<String, Object>> items = page.getList("items");
        assertThat(items).allSatisfy(e -> {
            assertThat(e.get("actor")).isEqualTo("ada");
            assertThat(e.get("outcome")).isIn("SUCCESS", "FAILURE", "DENIED");
            assertThat((String) e.get("sourceAddress")).isNotBlank();
            assertThat(e.get("occurredAt")).isNotNull();
        });
        Map<String, Object> created = items.stream()
                .filter(e -> "TARGET_CREATE".equals(e.get("action"))).findFirst().orElseThrow();
        assertThat(created.get("objectType")).isEqualTo("target");
        assertThat(created.get("objectId")).isEqualTo(String.valueOf(target));
        assertThat((String) created.get("details")).contains(name);
        // filters combine
        Api.admin().queryParam("action", "TARGET_DELETE").queryParam("objectId", String.valueOf(target))
                .get("/api/v1/audit-events").then().statusCode(200)
                .body("total", org.hamcrest.Matchers.equalTo(1));
    }

    @Test
    void identityAndAccessChangesAreAudited() {
        Instant from = Instant.now().minusSeconds(1);
        String name = Api.unique("aud2");
        long user = Api.createUser(name, "password-123", "user");
        long version = Api.admin().get("/api/v1/users/" + user).then().extract().jsonPath().getLong("version");
        Api.admin().body(Map.of("displayName", "Changed", "version", version)).put("/api/v1/users/" + user)
                .then().statusCode(200);
        long group = Api.admin().body(Map.of("name", name)).post("/api/v1/groups").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        Api.admin().put("/api/v1/groups/" + group + "/members/" + user).then().statusCode(204);
        long target = Api.createTarget(name);
        long set = Api.createSet(name, target);
        long grant = Api.grant(group, set, "VIEW_ONLY");
        long assignment = Api.admin().body(Map.of("userId", user, "targetId", target, "accessLevel", "FULL_CONTROL"))
                .post("/api/v1/assignments").then().statusCode(201).extract().jsonPath().getLong("id");
        Api.admin().delete("/api/v1/assignments/" + assignment).then().statusCode(204);
        Api.admin().delete("/api/v1/grants/" + grant).then().statusCode(204);
        Api.admin().delete("/api/v1/groups/" + group + "/members/" + user).then().statusCode(204);
        Api.admin().delete("/api/v1/groups/" + group).then().statusCode(204);
        Api.admin().post("/api/v1/users/" + user + "/unlock").then().statusCode(204);
        Api.admin().delete("/api/v1/users/" + user).then().statusCode(204);

        List<String> actions = Api.admin().queryParam("actor", "admin").queryParam("from", from.toString())
                .queryParam("size", 500).get("/api/v1/audit-events").then().statusCode(200)
                .extract().jsonPath().getList("items.action", String.class);
        assertThat(actions).contains("USER_CREATE", "USER_UPDATE", "GROUP_CREATE", "GROUP_MEMBER_ADD",
                "TARGET_CREATE", "TARGET_SET_CREATE", "TARGET_SET_ADD", "GRANT_CREATE", "ASSIGNMENT_CREATE",
                "ASSIGNMENT_DELETE", "GRANT_DELETE", "GROUP_MEMBER_REMOVE", "GROUP_DELETE", "USER_UNLOCK",
                "USER_DELETE");
        // the deleted user's history stays readable
        Api.admin().queryParam("objectType", "user").queryParam("objectId", String.valueOf(user))
                .get("/api/v1/audit-events").then().statusCode(200)
                .body("total", org.hamcrest.Matchers.greaterThanOrEqualTo(4));
    }

    @Test
    void refusedRequestsOfKnownCallersAreAudited() {
        Api.demo("uma").get("/api/v1/grants").then().statusCode(403);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() ->
                Api.admin().queryParam("actor", "uma").queryParam("action", "ACCESS_DENIED")
                        .queryParam("objectId", "GET /api/v1/grants").get("/api/v1/audit-events")
                        .then().statusCode(200)
                        .body("total", org.hamcrest.Matchers.greaterThanOrEqualTo(1))
                        .body("items[0].outcome", org.hamcrest.Matchers.equalTo("DENIED"))
                        .body("items[0].sourceAddress", org.hamcrest.Matchers.notNullValue()));
    }

    @Test
    void csvAndJsonExport() {
        String name = Api.unique("csv,\"quoted\"");
        Api.login(name, "whatever-pass").then().statusCode(401);   // a failed login, audited under that name
        String csv = Api.admin().queryParam("actor", name).queryParam("format", "csv").get("/api/v1/audit-events")
                .then().statusCode(200).contentType(containsString("text/csv")).extract().asString();
        // Accept by preference: both named, JSON first (generated clients) -> JSON; CSV preferred -> CSV.
        Api.admin().queryParam("actor", name).header("Accept", "application/json, text/csv").get("/api/v1/audit-events")
                .then().statusCode(200).contentType(containsString("application/json"));
        Api.admin().queryParam("actor", name).header("Accept", "text/csv, application/json;q=0.5")
                .get("/api/v1/audit-events").then().statusCode(200).contentType(containsString("text/csv"));
        String[] lines = csv.split("\n");
        assertThat(lines[0]).isEqualTo("id,occurredAt,actor,action,objectType,objectId,outcome,sourceAddress,details");
        assertThat(lines).hasSize(2);
        assertThat(lines[1]).contains("\"" + name.replace("\"", "\"\"") + "\"").contains(",LOGIN,").contains(",FAILURE,");

        List<Map<String, Object>> json = Api.admin().queryParam("actor", name).queryParam("export", true)
                .get("/api/v1/audit-events").then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(json).hasSize(1);
        assertThat(json.get(0).get("action")).isEqualTo("LOGIN");
    }

    @Test
    void csvCellsCannotCarryFormulas() {
        assertThat(org.cam.management.audit.rest.AuditResource.cell("=cmd()")).isEqualTo("'=cmd()");
        assertThat(org.cam.management.audit.rest.AuditResource.cell("a,b")).isEqualTo("\"a,b\"");
    }
}
