package org.cam.management.identity;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import org.cam.management.support.Api;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * Races and revocation against the real database: parallel wrong guesses never get more password checks than the
 * lockout allows; one refresh token rotates once however many use it at the same moment; a password, role or
 * enable change ends the user's tokens at once; a user changing their own password must know the current one.
 */
@QuarkusTest
class TokenSecurityTest {
    static final int PARALLEL = 16;

    static <T> List<T> together(Callable<T> task) throws Exception {
        return Api.concurrently(PARALLEL, task);
    }

    @Test
    void parallelWrongGuessesNeverExceedTheLockoutLimit() throws Exception {
        String name = Api.unique("race");
        Api.createUser(name, "right-password-1", "user");
        List<Integer> codes = together(() -> Api.login(name, "wrong-password").statusCode());
        assertThat(codes).containsOnly(401);
        JsonPath audit = Api.admin().queryParam("actor", name).queryParam("action", "LOGIN").queryParam("size", 200)
                .get("/api/v1/audit-events").then().statusCode(200).extract().jsonPath();
        // the test profile allows 3 failures per user: at most 3 guesses reached the password check
        assertThat(audit.getList("items.findAll { it.details != null && it.details.startsWith('wrong password') }"))
                .hasSizeLessThanOrEqualTo(3);
        assertThat(audit.getList("items.findAll { it.outcome == 'DENIED' }")).hasSizeGreaterThanOrEqualTo(PARALLEL - 3);
    }

    @Test
    void concurrentUsesOfOneRefreshTokenRotateItOnceAndCountAsReuse() throws Exception {
        String name = Api.unique("rot");
        Api.createUser(name, "rot-password-1", "user");
        String refresh = Api.login(name, "rot-password-1").then().statusCode(200).extract().jsonPath()
                .getString("refreshToken");
        List<io.restassured.response.Response> answers = together(() -> given().contentType(ContentType.JSON)
                .body(Map.of("refreshToken", refresh)).post("/api/v1/auth/refresh"));
        List<io.restassured.response.Response> won = answers.stream().filter(r -> r.statusCode() == 200).toList();
        assertThat(won).hasSize(1);
        assertThat(answers.stream().filter(r -> r.statusCode() == 401)).hasSize(PARALLEL - 1);
        // the losers showed a used token: reuse, so the winner's new refresh token is revoked too
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", won.get(0).jsonPath()
                .getString("refreshToken"))).post("/api/v1/auth/refresh").then().statusCode(401);
        assertThat(Api.admin().queryParam("actor", name).queryParam("action", "TOKEN_REUSE")
                .get("/api/v1/audit-events").then().statusCode(200).extract().jsonPath().getInt("total"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void changingOnesOwnPasswordNeedsTheCurrentOneAndEndsEveryToken() {
        String name = Api.unique("self");
        long id = Api.createUser(name, "old-password-1", "user");
        JsonPath first = Api.login(name, "old-password-1").then().statusCode(200).extract().jsonPath();
        String access = first.getString("accessToken");
        given().auth().oauth2(access).contentType(ContentType.JSON).body(Map.of("password", "new-password-1"))
                .put("/api/v1/users/" + id + "/password").then().statusCode(400)
                .body("field", equalTo("currentPassword"));
        given().auth().oauth2(access).contentType(ContentType.JSON)
                .body(Map.of("currentPassword", "not-the-password", "password", "new-password-1"))
                .put("/api/v1/users/" + id + "/password").then().statusCode(400)
                .body("field", equalTo("currentPassword"));
        given().auth().oauth2(access).contentType(ContentType.JSON)
                .body(Map.of("currentPassword", "old-password-1", "password", "new-password-1"))
                .put("/api/v1/users/" + id + "/password").then().statusCode(204);
        // the access token and the refresh token issued before the change stop working
        given().auth().oauth2(access).get("/api/v1/me/targets").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", first.getString("refreshToken")))
                .post("/api/v1/auth/refresh").then().statusCode(401);
        Api.login(name, "new-password-1").then().statusCode(200);
    }

    @Test
    void roleAndPasswordChangesByAnAdminEndTheUsersTokens() {
        String name = Api.unique("demote");
        long id = Api.createUser(name, "demote-pw-1", "operator");
        JsonPath before = Api.login(name, "demote-pw-1").then().statusCode(200).extract().jsonPath();
        given().auth().oauth2(before.getString("accessToken")).get("/api/v1/target-sets").then().statusCode(200);
        long version = Api.admin().get("/api/v1/users/" + id).then().extract().jsonPath().getLong("version");
        Api.admin().body(Map.of("roles", List.of("viewer"), "version", version)).put("/api/v1/users/" + id)
                .then().statusCode(200);
        given().auth().oauth2(before.getString("accessToken")).get("/api/v1/auth/whoami").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("refreshToken", before.getString("refreshToken")))
                .post("/api/v1/auth/refresh").then().statusCode(401);

        String again = Api.login(name, "demote-pw-1").then().statusCode(200).extract().jsonPath()
                .getString("accessToken");
        given().auth().oauth2(again).get("/api/v1/auth/whoami").then().statusCode(200);
        Api.admin().body(Map.of("password", "reset-pw-123")).put("/api/v1/users/" + id + "/password").then()
                .statusCode(204);   // an administrator resetting someone else's password needs no current one
        given().auth().oauth2(again).get("/api/v1/auth/whoami").then().statusCode(401);
    }

    @Test
    void basicCredentialsAreRefusedOnRequestsABrowserMade() {
        // what a forged cross-site request riding on cached Basic credentials looks like
        given().auth().preemptive().basic("admin", Api.ADMIN_PASSWORD).header("Origin", "https://evil.example")
                .get("/api/v1/users").then().statusCode(401);
        given().auth().preemptive().basic("admin", Api.ADMIN_PASSWORD).header("Sec-Fetch-Site", "cross-site")
                .header("Sec-Fetch-Mode", "no-cors").get("/api/v1/users").then().statusCode(401);
        // automation (no browser headers) keeps Basic, and browsers keep bearer tokens
        given().auth().preemptive().basic("admin", Api.ADMIN_PASSWORD).get("/api/v1/users").then().statusCode(200);
        Api.admin().header("Origin", "https://cam.example").header("Sec-Fetch-Site", "same-origin")
                .get("/api/v1/users").then().statusCode(200);
    }
}
