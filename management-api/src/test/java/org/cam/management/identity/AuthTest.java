package org.cam.management.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import org.cam.management.support.Api;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

@QuarkusTest
class AuthTest {

    @Test
    void builtInAdminLogsInWithTokenAndBasic() {
        var r = Api.login("admin", Api.ADMIN_PASSWORD).then().statusCode(200).extract().jsonPath();
        assertThat(r.getString("accessToken")).contains(".");
        assertThat(r.getString("refreshToken")).isNotBlank();
        assertThat(r.getList("roles", String.class)).contains("admin", "operator", "user", "viewer");

        given().auth().oauth2(r.getString("accessToken")).get("/api/v1/auth/whoami")
                .then().statusCode(200).body("username", equalTo("admin"));
        given().auth().preemptive().basic("admin", Api.ADMIN_PASSWORD).get("/api/v1/users")
                .then().statusCode(200);
        given().auth().preemptive().basic("admin", "wrong-password").get("/api/v1/users")
                .then().statusCode(401);
        given().get("/api/v1/users").then().statusCode(401);
    }

    @Test
    void ldapUsersGetRolesFromGroupsIncludingNested() {
        assertThat(roles("ada")).contains("admin", "operator", "user", "viewer");
        assertThat(roles("otto")).contains("operator", "user", "viewer").doesNotContain("admin");
        // uma is in cam-users only through lab-team
        assertThat(roles("uma")).contains("user", "viewer").doesNotContain("admin", "operator");
        assertThat(roles("vic")).isEmpty();

        // least privilege: vic authenticates but may do nothing
        Api.demo("vic").get("/api/v1/me/targets").then().statusCode(403);
        Api.demo("vic").get("/api/v1/targets").then().statusCode(403);
        Api.demo("uma").get("/api/v1/me/targets").then().statusCode(200);
        Api.demo("uma").get("/api/v1/users").then().statusCode(403);
        Api.demo("ada").get("/api/v1/users").then().statusCode(200);

        // LDAP users over Basic too
        given().auth().preemptive().basic("otto", "camdemo").get("/api/v1/target-sets").then().statusCode(200);
        Api.login("ada", "not-her-password").then().statusCode(401)
                .contentType("application/problem+json").body("status", equalTo(401));

        // provisioned just in time with their LDAP groups and nesting
        var uma = Api.admin().queryParam("q", "uma").get("/api/v1/users").then().statusCode(200).extract().jsonPath();
        assertThat(uma.getList("items.find { it.username == 'uma' }.groups", String.class)).containsExactly("lab-team");
        assertThat(uma.getString("items.find { it.username == 'uma' }.source")).isEqualTo("LDAP");
        Api.admin().get("/api/v1/groups/" + Api.groupId("lab-team")).then().statusCode(200)
                .body("parents", hasItem("cam-users"));
    }

    private static List<String> roles(String user) {
        return Api.login(user, Api.DEMO_PASSWORD).then().statusCode(200).extract().jsonPath()
                .getList("roles", String.class);
    }

    @Test
    void refreshTokensRotateAndReuseRevokesEverything() {
        var first = Api.login("otto", Api.DEMO_PASSWORD).then().statusCode(200).extract().jsonPath();
        String r1 = first.getString("refreshToken");
        var second = given().contentType(ContentType.JSON).body(Map.of("refreshToken", r1))
                .post("/api/v1/auth/refresh").then().statusCode(200).extract().jsonPath();
        String r2 = second.getString("refreshToken");
        assertThat(r2).isNotEqualTo(r1);
        given().auth().oauth2(second.getString("accessToken")).get("/api/v1/auth/whoami")
                .then().statusCode(200).body("username", equalTo("otto"));

        // r1 again: theft suspected, r2 dies with it
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", r1)).post("/api/v1/auth/refresh")
                .then().statusCode(401).body("field", equalTo("refreshToken"));
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", r2)).post("/api/v1/auth/refresh")
                .then().statusCode(401);
        Api.admin().queryParam("action", "TOKEN_REUSE").queryParam("actor", "otto").get("/api/v1/audit-events")
                .then().statusCode(200).body("total", not(equalTo(0)));

        given().auth().oauth2("not.a.jwt").get("/api/v1/auth/whoami").then().statusCode(401);
    }

    @Test
    void lockoutAfterRepeatedFailuresIsAudited() {
        String name = Api.unique("lock");
        long id = Api.createUser(name, "right-password-1", "user");
        for (int i = 0; i < 3; i++) {
            Api.login(name, "wrong-password").then().statusCode(401);
        }
        // locked: even the right password is refused, over token login and Basic alike
        Api.login(name, "right-password-1").then().statusCode(401);
        given().auth().preemptive().basic(name, "right-password-1").get("/api/v1/me/targets").then().statusCode(401);

        var audit = Api.admin().queryParam("actor", name).queryParam("size", 100).get("/api/v1/audit-events")
                .then().statusCode(200).extract().jsonPath();
        assertThat(audit.getList("items.action", String.class)).contains("LOCKOUT", "LOGIN");
        assertThat(audit.getList("items.findAll { it.action == 'LOGIN' && it.outcome == 'FAILURE' }")).hasSize(3);
        assertThat(audit.getList("items.findAll { it.action == 'LOGIN' && it.outcome == 'DENIED' }")).hasSize(2);
        assertThat(audit.getString("items.find { it.action == 'LOCKOUT' }.sourceAddress")).isNotBlank();

        // an administrator unlocks
        Api.admin().post("/api/v1/users/" + id + "/unlock").then().statusCode(204);
        Api.login(name, "right-password-1").then().statusCode(200);
    }

    @Test
    void concurrentFirstLoginsOfANewLdapUserAllSucceed() throws Exception {
        String dn = "uid=nora,ou=people,dc=cam,dc=test";
        org.cam.management.support.InMemoryLdap.server().add("dn: " + dn, "objectClass: inetOrgPerson", "uid: nora",
                "cn: Nora", "sn: N", "userPassword: camdemo");
        var pool = java.util.concurrent.Executors.newFixedThreadPool(8);
        try {
            List<java.util.concurrent.Future<Integer>> logins = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                logins.add(pool.submit(() -> Api.login("nora", Api.DEMO_PASSWORD).statusCode()));
            }
            for (var f : logins) {
                assertThat(f.get(60, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(200);
            }
            Api.admin().queryParam("q", "nora").get("/api/v1/users").then().statusCode(200)
                    .body("total", equalTo(1));
        } finally {
            pool.shutdownNow();
            org.cam.management.support.InMemoryLdap.server().delete(dn);
            Api.syncLdap();
        }
    }

    @Test
    void serviceTokensAuthenticateServicesNotUsers() {
        given().auth().oauth2("test-broker-token").get("/api/v1/auth/whoami").then().statusCode(200)
                .body("username", equalTo("service:broker"))
                .body("roles", org.hamcrest.Matchers.containsInAnyOrder("service", "service:broker"));
        // a service has no user role
        given().auth().oauth2("test-broker-token").get("/api/v1/me/targets").then().statusCode(403);
        given().auth().oauth2("test-broker-token").get("/api/v1/users").then().statusCode(403);
        given().auth().oauth2("wrong-broker-token").get("/api/v1/auth/whoami").then().statusCode(401);
        // never through Basic as if it were a password
        given().auth().preemptive().basic("service:broker", "test-broker-token").get("/api/v1/auth/whoami")
                .then().statusCode(401);
    }

    @Test
    void disabledUserCannotLogIn() {
        String name = Api.unique("off");
        long id = Api.createUser(name, "password-123", "user");
        String token = Api.login(name, "password-123").then().statusCode(200).extract().jsonPath()
                .getString("accessToken");
        given().auth().oauth2(token).get("/api/v1/me/targets").then().statusCode(200);
        long version = Api.admin().get("/api/v1/users/" + id).then().extract().jsonPath().getLong("version");
        Api.admin().body(Map.of("enabled", false, "version", version)).put("/api/v1/users/" + id)
                .then().statusCode(200).body("enabled", equalTo(false));
        Api.login(name, "password-123").then().statusCode(401);
        // the token issued before is refused from now on as well
        given().auth().oauth2(token).get("/api/v1/me/targets").then().statusCode(401);
    }
}
