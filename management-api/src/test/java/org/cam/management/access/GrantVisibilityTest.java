package org.cam.management.access;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.cam.management.support.Api;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Who sees and opens what: grants through nested groups, explicit NONE, direct assignments, role caps. */
@QuarkusTest
class GrantVisibilityTest {

    @BeforeEach
    void directoryImported() {
        Api.syncLdap();
    }

    @Test
    void grantsMatrix() {
        String tag = Api.unique("gv");
        long full = Api.createTarget(tag + "-full");
        long view = Api.createTarget(tag + "-view");
        long denied = Api.createTarget(tag + "-denied");
        long hidden = Api.createTarget(tag + "-hidden");
        long direct = Api.createTarget(tag + "-direct");

        long setFull = Api.createSet(tag + "-set-full", full, denied);
        long setView = Api.createSet(tag + "-set-view", view);
        long setDeny = Api.createSet(tag + "-set-deny", denied);
        Api.createSet(tag + "-set-hidden", hidden);

        long camUsers = Api.groupId("cam-users");
        long labTeam = Api.groupId("lab-team");
        Api.grant(camUsers, setFull, "FULL_CONTROL");     // uma through nesting
        Api.grant(labTeam, setView, "VIEW_ONLY");         // uma directly
        Api.grant(labTeam, setDeny, "NONE");              // explicit deny beats cam-users' full control

        // a local viewer in lab-team: same targets, capped at view only
        String viewer = Api.unique("viewer");
        long viewerId = Api.createUser(viewer, "viewer-pass-1", "viewer");
        long localTeam = Api.admin().body(Map.of("name", Api.unique("team"))).post("/api/v1/groups")
                .then().statusCode(201).extract().jsonPath().getLong("id");
        Api.admin().put("/api/v1/groups/" + localTeam + "/members/" + viewerId).then().statusCode(204);
        Api.grant(localTeam, setFull, "FULL_CONTROL");

        // a direct assignment for a user without any group
        String loner = Api.unique("loner");
        long lonerId = Api.createUser(loner, "loner-pass-1", "user");
        Api.admin().body(Map.of("userId", lonerId, "targetId", direct, "accessLevel", "FULL_CONTROL"))
                .post("/api/v1/assignments").then().statusCode(201);

        Map<String, String> uma = mine(Api.demo("uma").queryParam("q", tag).get("/api/v1/me/targets")
                .then().statusCode(200).extract().jsonPath());
        assertThat(uma).containsExactlyInAnyOrderEntriesOf(Map.of(
                tag + "-full", "FULL_CONTROL",
                tag + "-view", "VIEW_ONLY"));

        Map<String, String> v = mine(Api.as(viewer, "viewer-pass-1").queryParam("q", tag).get("/api/v1/me/targets")
                .then().statusCode(200).extract().jsonPath());
        assertThat(v).containsExactlyInAnyOrderEntriesOf(Map.of(
                tag + "-full", "VIEW_ONLY",
                tag + "-denied", "VIEW_ONLY"));

        Map<String, String> l = mine(Api.as(loner, "loner-pass-1").queryParam("q", tag).get("/api/v1/me/targets")
                .then().statusCode(200).extract().jsonPath());
        assertThat(l).containsExactlyInAnyOrderEntriesOf(Map.of(tag + "-direct", "FULL_CONTROL"));

        // operators and admins open everything
        assertThat(mine(Api.demo("otto").queryParam("q", tag).get("/api/v1/me/targets").then().statusCode(200)
                .extract().jsonPath())).hasSize(5).containsValue("FULL_CONTROL").doesNotContainValue("VIEW_ONLY");

        // GET /targets/{id} does not reveal targets one may not open; /targets lists the same as /me/targets
        Api.demo("uma").get("/api/v1/targets/" + hidden).then().statusCode(404);
        Api.demo("uma").get("/api/v1/targets/" + denied).then().statusCode(404);
        Api.demo("uma").get("/api/v1/targets/" + view).then().statusCode(200);
        assertThat(mine(Api.demo("uma").queryParam("q", tag).get("/api/v1/targets").then().statusCode(200)
                .extract().jsonPath())).isEqualTo(uma);
        // vic has no role: nothing at all
        Api.demo("vic").get("/api/v1/me/targets").then().statusCode(403);
    }

    @Test
    void revokingTheGrantHidesTheTarget() {
        String tag = Api.unique("rv");
        long t = Api.createTarget(tag + "-t");
        long set = Api.createSet(tag + "-set", t);
        long grant = Api.grant(Api.groupId("lab-team"), set, "FULL_CONTROL");
        assertThat(mine(Api.demo("uma").queryParam("q", tag).get("/api/v1/me/targets").then().extract().jsonPath()))
                .containsKey(tag + "-t");
        long version = Api.admin().get("/api/v1/grants/" + grant).then().extract().jsonPath().getLong("version");
        Api.admin().body(Map.of("accessLevel", "VIEW_ONLY", "version", version)).put("/api/v1/grants/" + grant)
                .then().statusCode(200);
        assertThat(mine(Api.demo("uma").queryParam("q", tag).get("/api/v1/me/targets").then().extract().jsonPath()))
                .containsEntry(tag + "-t", "VIEW_ONLY");
        Api.admin().delete("/api/v1/grants/" + grant).then().statusCode(204);
        assertThat(mine(Api.demo("uma").queryParam("q", tag).get("/api/v1/me/targets").then().extract().jsonPath()))
                .isEmpty();
    }

    @Test
    void listsFilterByNameTagAndPolicyAndPage() {
        String tag = Api.unique("flt");
        for (int i = 0; i < 3; i++) {
            Api.admin().body(Map.of("name", tag + "-" + i, "host", "127.0.0.1", "port", 5900 + i,
                            "accessPolicy", i == 0 ? "EXCLUSIVE" : "SHARED", "locationTags", List.of(tag + "-row", "dc1")))
                    .post("/api/v1/targets").then().statusCode(201);
        }
        Api.admin().queryParam("tag", tag + "-row").get("/api/v1/targets").then().statusCode(200)
                .body("total", org.hamcrest.Matchers.equalTo(3));
        Api.admin().queryParam("tag", tag + "-row").queryParam("policy", "EXCLUSIVE").get("/api/v1/targets")
                .then().statusCode(200).body("total", org.hamcrest.Matchers.equalTo(1))
                .body("items[0].name", org.hamcrest.Matchers.equalTo(tag + "-0"))
                .body("items[0].locationTags", org.hamcrest.Matchers.containsInAnyOrder(tag + "-row", "dc1"));
        Api.admin().queryParam("q", tag).queryParam("size", 2).queryParam("page", 1).get("/api/v1/targets")
                .then().statusCode(200).body("total", org.hamcrest.Matchers.equalTo(3))
                .body("items.name", org.hamcrest.Matchers.contains(tag + "-2"));
    }

    private static Map<String, String> mine(JsonPath page) {
        Map<String, String> out = new HashMap<>();
        List<Map<String, Object>> items = page.getList("items");
        for (Map<String, Object> i : items) {
            out.put((String) i.get("name"), (String) i.get("access"));
        }
        return out;
    }
}
