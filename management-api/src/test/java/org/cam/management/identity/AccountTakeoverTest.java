package org.cam.management.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.cam.management.support.Api;
import org.cam.management.support.InMemoryLdap;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * One canonical (lower-case) user name everywhere: a directory entry whose uid is a local user's name, reached by
 * logging in with another spelling, never mirrors onto the local account; the refusal is audited.
 */
@QuarkusTest
class AccountTakeoverTest {

    @Test
    void aDirectoryEntryNamedLikeTheLocalAdminCannotTakeItOver() throws Exception {
        // uid is multi-valued: an entry found as "mallory" whose first uid is "admin"
        String dn = "cn=Mallory,ou=people,dc=cam,dc=test";
        InMemoryLdap.server().add("dn: " + dn, "objectClass: inetOrgPerson", "uid: admin", "uid: mallory",
                "cn: Mallory", "sn: M", "userPassword: mallory-pw-1");
        try {
            // another spelling of the local name, a directory name whose entry says uid=admin, and Basic
            Api.login("Admin", "mallory-pw-1").then().statusCode(401);
            Api.login("mallory", "mallory-pw-1").then().statusCode(401);
            given().auth().preemptive().basic("ADMIN", "mallory-pw-1").get("/api/v1/auth/whoami").then()
                    .statusCode(401);
            long adminId = Api.admin().queryParam("q", "admin").get("/api/v1/users").then().statusCode(200)
                    .extract().jsonPath().getLong("items.find { it.username == 'admin' }.id");
            Api.admin().post("/api/v1/users/" + adminId + "/unlock").then().statusCode(204);
            JsonPath admin = Api.admin().queryParam("q", "admin").queryParam("size", 100).get("/api/v1/users")
                    .then().statusCode(200).extract().jsonPath();
            assertThat(admin.getList("items.findAll { it.username.toLowerCase() == 'admin' }")).hasSize(1);
            assertThat(admin.getString("items.find { it.username == 'admin' }.source")).isEqualTo("LOCAL");
            assertThat(admin.getList("items.find { it.username == 'admin' }.roles", String.class)).contains("admin");
            assertThat(admin.getString("items.find { it.username == 'admin' }.displayName")).isNotEqualTo("Mallory");
            // the built-in admin still logs in with its own password, under any spelling
            Api.login("Admin", Api.ADMIN_PASSWORD).then().statusCode(200);
            List<Map<String, Object>> denied = Api.admin().queryParam("action", "LOGIN").queryParam("outcome", "DENIED")
                    .queryParam("size", 200).get("/api/v1/audit-events").then().statusCode(200).extract().jsonPath()
                    .getList("items.findAll { it.details != null && it.details.contains('local user') }");
            assertThat(denied).isNotEmpty();
        } finally {
            InMemoryLdap.server().delete(dn);
        }
    }

    @Test
    void userNamesAreCaseFoldedEverywhere() {
        String name = Api.unique("Carol");
        long id = Api.admin().body(Map.of("username", name, "password", "carol-pw-123", "roles", List.of("user")))
                .post("/api/v1/users").then().statusCode(201).extract().jsonPath().getLong("id");
        Api.admin().get("/api/v1/users/" + id).then().statusCode(200)
                .body("username", org.hamcrest.Matchers.equalTo(name.toLowerCase()));
        // the same name in another spelling is the same user
        Api.admin().body(Map.of("username", name.toUpperCase(), "password", "carol-pw-123", "roles", List.of("user")))
                .post("/api/v1/users").then().statusCode(409);
        Api.login(name.toUpperCase(), "carol-pw-123").then().statusCode(200)
                .body("username", org.hamcrest.Matchers.equalTo(name.toLowerCase()));
    }
}
