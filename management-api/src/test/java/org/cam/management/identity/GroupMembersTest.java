package org.cam.management.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.cam.management.support.Api;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * A group's view carries its member count, never its members (a directory group may hold every user of a data
 * centre); the members are paged and searched on the server at /api/v1/groups/{id}/members.
 */
@QuarkusTest
class GroupMembersTest {

    @Test
    void membersArePagedSortedAndSearchedOnTheServer() {
        String tag = Api.unique("grpm");
        // Created out of name order: the answer sorts them.
        List<String> names = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        IntStream.of(7, 2, 11, 0, 9, 4, 1, 10, 3, 8, 6, 5).forEach(i -> {
            String name = tag + (i % 4 == 0 ? "-beta-" : "-alpha-") + String.format("%02d", i);
            names.add(name);
            ids.add(Api.createUser(name, "a-long-password", "user"));
        });
        // Matches every search below, but is not a member.
        Api.createUser(tag + "-beta-outsider", "a-long-password", "user");
        long group = createGroup(tag + "-team");
        ids.forEach(u -> Api.admin().put("/api/v1/groups/" + group + "/members/" + u).then().statusCode(204));

        JsonPath one = Api.admin().get("/api/v1/groups/" + group).then().statusCode(200).extract().jsonPath();
        assertThat(one.getLong("memberCount")).isEqualTo(12);
        assertThat(one.getMap("")).doesNotContainKey("members").containsKey("parents");
        JsonPath listed = Api.admin().queryParam("q", tag + "-team").get("/api/v1/groups").then().statusCode(200)
                .extract().jsonPath();
        assertThat(listed.getLong("items[0].memberCount")).isEqualTo(12);
        assertThat(listed.getMap("items[0]")).doesNotContainKey("members");

        List<String> paged = new ArrayList<>();
        for (int page = 0; page < 3; page++) {
            JsonPath p = Api.admin().queryParam("page", page).queryParam("size", 5)
                    .get("/api/v1/groups/" + group + "/members").then().statusCode(200).extract().jsonPath();
            assertThat(p.getLong("total")).isEqualTo(12);
            assertThat(p.getInt("page")).isEqualTo(page);
            assertThat(p.getInt("size")).isEqualTo(5);
            assertThat(p.getList("items")).hasSize(page < 2 ? 5 : 2);
            paged.addAll(p.getList("items.username", String.class));
            p.getList("items.id", Long.class).forEach(id -> assertThat(ids).contains(id));
        }
        assertThat(paged).isEqualTo(names.stream().sorted().toList());
        assertThat(Api.admin().queryParam("page", 3).queryParam("size", 5).get("/api/v1/groups/" + group + "/members")
                .then().statusCode(200).extract().jsonPath().getList("items")).isEmpty();

        // Any case, part of the user name, members only, sorted.
        JsonPath found = Api.admin().queryParam("q", "BETA").queryParam("size", 2)
                .get("/api/v1/groups/" + group + "/members").then().statusCode(200).extract().jsonPath();
        assertThat(found.getLong("total")).isEqualTo(3);
        assertThat(found.getList("items.username", String.class))
                .containsExactly(tag + "-beta-00", tag + "-beta-04");
        assertThat(Api.admin().queryParam("q", "BETA").queryParam("size", 2).queryParam("page", 1)
                .get("/api/v1/groups/" + group + "/members").then().statusCode(200).extract().jsonPath()
                .getList("items.username", String.class)).containsExactly(tag + "-beta-08");

        Api.admin().delete("/api/v1/groups/" + group + "/members/" + ids.get(0)).then().statusCode(204);
        assertThat(Api.admin().get("/api/v1/groups/" + group).jsonPath().getLong("memberCount")).isEqualTo(11);
        assertThat(Api.admin().get("/api/v1/groups/" + group + "/members").jsonPath().getLong("total"))
                .isEqualTo(11);
    }

    @Test
    void directoryGroupsListTheirMembersReadOnly() {
        Api.admin().post("/api/v1/ldap/sync").then().statusCode(200);
        long labTeam = Api.groupId("lab-team");
        JsonPath members = Api.admin().queryParam("q", "uma").get("/api/v1/groups/" + labTeam + "/members").then()
                .statusCode(200).extract().jsonPath();
        assertThat(members.getList("items.username", String.class)).containsExactly("uma");
        assertThat(members.getString("items[0].displayName")).isNotBlank();   // from the directory entry
        assertThat(Api.admin().get("/api/v1/groups/" + labTeam).jsonPath().getLong("memberCount")).isPositive();
        Api.admin().delete("/api/v1/groups/" + labTeam + "/members/" + members.getLong("items[0].id")).then()
                .statusCode(409);
    }

    @Test
    void badPagesAndUnknownGroupsAreProblems() {
        long group = createGroup(Api.unique("grpm-empty"));
        Api.admin().get("/api/v1/groups/" + group + "/members").then().statusCode(200)
                .body("total", equalTo(0)).body("items.size()", equalTo(0));
        Api.admin().queryParam("size", 501).get("/api/v1/groups/" + group + "/members").then().statusCode(400)
                .body("field", equalTo("size"));
        Api.admin().queryParam("size", 0).get("/api/v1/groups/" + group + "/members").then().statusCode(400)
                .body("field", equalTo("size"));
        Api.admin().queryParam("page", -1).get("/api/v1/groups/" + group + "/members").then().statusCode(400)
                .body("field", equalTo("page"));
        Api.admin().queryParam("q", "x".repeat(129)).get("/api/v1/groups/" + group + "/members").then()
                .statusCode(400).body("field", equalTo("q"));
        Api.admin().queryParam("page", Integer.MAX_VALUE).queryParam("size", 500)
                .get("/api/v1/groups/" + group + "/members").then().statusCode(200);
        Api.admin().get("/api/v1/groups/987654321/members").then().statusCode(404);
        // Groups are an admin's: an operator may not read them.
        Api.demo("otto").get("/api/v1/groups/" + group + "/members").then().statusCode(403);
    }

    private static long createGroup(String name) {
        return Api.admin().body(Map.of("name", name)).post("/api/v1/groups").then().statusCode(201).extract()
                .jsonPath().getLong("id");
    }
}
