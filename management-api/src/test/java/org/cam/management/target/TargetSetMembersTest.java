package org.cam.management.target;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.cam.management.support.Api;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * A set's view carries its member count, never its members (a set may hold every target of a data centre); the
 * members are paged and searched on the server at /api/v1/target-sets/{id}/targets.
 */
@QuarkusTest
class TargetSetMembersTest {

    @Test
    void membersArePagedSortedAndSearchedOnTheServer() {
        String tag = Api.unique("setm");
        // Created out of name order: the answer sorts them.
        List<String> names = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        IntStream.of(7, 2, 11, 0, 9, 4, 1, 10, 3, 8, 6, 5).forEach(i -> {
            String name = tag + (i % 4 == 0 ? "-beta-" : "-alpha-") + String.format("%02d", i);
            names.add(name);
            ids.add(Api.createTarget(name));
        });
        // Matches every search below, but is not a member.
        Api.createTarget(tag + "-beta-outsider");
        long set = Api.createSet(tag + "-set", ids.stream().mapToLong(Long::longValue).toArray());

        JsonPath one = Api.admin().get("/api/v1/target-sets/" + set).then().statusCode(200).extract().jsonPath();
        assertThat(one.getLong("targetCount")).isEqualTo(12);
        assertThat(one.getMap("")).doesNotContainKey("targets");
        JsonPath listed = Api.admin().queryParam("q", tag + "-set").get("/api/v1/target-sets").then().statusCode(200)
                .extract().jsonPath();
        assertThat(listed.getLong("items[0].targetCount")).isEqualTo(12);
        assertThat(listed.getMap("items[0]")).doesNotContainKey("targets");

        List<String> paged = new ArrayList<>();
        for (int page = 0; page < 3; page++) {
            JsonPath p = Api.admin().queryParam("page", page).queryParam("size", 5)
                    .get("/api/v1/target-sets/" + set + "/targets").then().statusCode(200).extract().jsonPath();
            assertThat(p.getLong("total")).isEqualTo(12);
            assertThat(p.getInt("page")).isEqualTo(page);
            assertThat(p.getInt("size")).isEqualTo(5);
            assertThat(p.getList("items")).hasSize(page < 2 ? 5 : 2);
            paged.addAll(p.getList("items.name", String.class));
            p.getList("items.id", Long.class).forEach(id -> assertThat(ids).contains(id));
        }
        assertThat(paged).isEqualTo(names.stream().sorted().toList());
        assertThat(Api.admin().queryParam("page", 3).queryParam("size", 5).get("/api/v1/target-sets/" + set + "/targets")
                .then().statusCode(200).extract().jsonPath().getList("items")).isEmpty();

        // Any case, part of the name, members only, sorted.
        JsonPath found = Api.admin().queryParam("q", "BETA").queryParam("size", 2)
                .get("/api/v1/target-sets/" + set + "/targets").then().statusCode(200).extract().jsonPath();
        assertThat(found.getLong("total")).isEqualTo(3);
        assertThat(found.getList("items.name", String.class))
                .containsExactly(tag + "-beta-00", tag + "-beta-04");
        assertThat(Api.admin().queryParam("q", "BETA").queryParam("size", 2).queryParam("page", 1)
                .get("/api/v1/target-sets/" + set + "/targets").then().statusCode(200).extract().jsonPath()
                .getList("items.name", String.class)).containsExactly(tag + "-beta-08");

        Api.admin().delete("/api/v1/target-sets/" + set + "/targets/" + ids.get(0)).then().statusCode(204);
        assertThat(Api.admin().get("/api/v1/target-sets/" + set).jsonPath().getLong("targetCount")).isEqualTo(11);
        assertThat(Api.admin().get("/api/v1/target-sets/" + set + "/targets").jsonPath().getLong("total"))
                .isEqualTo(11);
    }

    @Test
    void badPagesAndUnknownSetsAreProblems() {
        long set = Api.createSet(Api.unique("setm-empty"));
        Api.admin().get("/api/v1/target-sets/" + set + "/targets").then().statusCode(200)
                .body("total", equalTo(0)).body("items.size()", equalTo(0));
        Api.admin().queryParam("size", 501).get("/api/v1/target-sets/" + set + "/targets").then().statusCode(400)
                .body("field", equalTo("size"));
        Api.admin().queryParam("page", -1).get("/api/v1/target-sets/" + set + "/targets").then().statusCode(400)
                .body("field", equalTo("page"));
        Api.admin().queryParam("q", "x".repeat(129)).get("/api/v1/target-sets/" + set + "/targets").then()
                .statusCode(400).body("field", equalTo("q"));
        Api.admin().queryParam("page", Integer.MAX_VALUE).queryParam("size", 500)
                .get("/api/v1/target-sets/" + set + "/targets").then().statusCode(200);
        Api.admin().get("/api/v1/target-sets/987654321/targets").then().statusCode(404);
        Api.demo("uma").get("/api/v1/target-sets/" + set + "/targets").then().statusCode(403);
    }
}
