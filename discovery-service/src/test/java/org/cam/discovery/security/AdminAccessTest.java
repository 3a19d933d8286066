package org.cam.discovery.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.cam.discovery.support.Auth;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The API for management-api's admins: their access token is shown to management-api's whoami (a real HTTP server
 * standing in for it, answering as management-api does: 200 with user name and roles, 401 for a token it refuses),
 * and only an answer with the admin role lets the caller in. The service token still works without asking anybody.
 */
@QuarkusTest
@TestProfile(AdminAccessTest.WithManagementApi.class)
class AdminAccessTest {

    static final String ADMIN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl";
    static final String USER = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1bWEifQ.c2lnbmF0dXJl";
    static final String REVOKED = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ2aWMifQ.c2lnbmF0dXJl";

    /** Picked before Quarkus starts (a system property: the profile may be loaded by more than one class loader). */
    static final int API_PORT = Integer.parseInt((String) System.getProperties()
            .computeIfAbsent("cam.test.whoami-port", k -> Integer.toString(freePort())));

    public static class WithManagementApi implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cam.discovery.forward.url", "http://127.0.0.1:" + API_PORT,
                    "cam.discovery.forward.request-timeout", "2s");
        }
    }

    static Vertx vertx;
    HttpServer api;
    final List<String> asked = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void setUp() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void tearDown() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void up() throws Exception {
        api = vertx.createHttpServer().requestHandler(req -> {
            String auth = req.getHeader("Authorization");
            asked.add(auth);
            if (!req.path().equals("/api/v1/auth/whoami")) {
                req.response().setStatusCode(404).end();
                return;
            }
            JsonObject who = ("Bearer " + ADMIN).equals(auth)
                    ? new JsonObject().put("username", "ada").put("roles", new JsonArray(
                            List.of("admin", "operator", "user", "viewer")))
                    : ("Bearer " + USER).equals(auth)
                            ? new JsonObject().put("username", "uma").put("roles", new JsonArray(List.of("user",
                                    "viewer")))
                            : null;
            if (who == null) {
                req.response().setStatusCode(401).end();
                return;
            }
            req.response().putHeader("Content-Type", "application/json").end(who.encode());
        });
        api.listen(API_PORT, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        asked.clear();
    }

    @AfterEach
    void down() throws Exception {
        if (api != null) {
            api.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            api = null;
        }
    }

    @Test
    void anAdminsTokenOpensTheApiAndOtherTokensDoNot() {
        given().auth().oauth2(ADMIN).get("/api/v1/discoveries").then().statusCode(200);
        given().auth().oauth2(ADMIN).get("/api/v1/scans").then().statusCode(200);
        assertThat(asked).containsExactly("Bearer " + ADMIN, "Bearer " + ADMIN);

        given().auth().oauth2(USER).get("/api/v1/discoveries").then().statusCode(403)
                .contentType("application/problem+json").body("status", equalTo(403));
        given().auth().oauth2(REVOKED).get("/api/v1/discoveries").then().statusCode(401)
                .header("WWW-Authenticate", "Bearer realm=\"cam-discovery\"");
        assertThat(asked).hasSize(4);
    }

    @Test
    void theServiceTokenAndGarbageCostManagementApiNothing() {
        Auth.given().get("/api/v1/discoveries").then().statusCode(200);
        given().auth().oauth2("not-a-jwt").get("/api/v1/discoveries").then().statusCode(401);
        given().auth().preemptive().basic("admin", "admin").get("/api/v1/discoveries").then().statusCode(401);
        given().get("/api/v1/discoveries").then().statusCode(401);
        assertThat(asked).isEmpty();
    }

    @Test
    void withoutManagementApiAnAdminTokenGets503() throws Exception {
        down();
        given().auth().oauth2(ADMIN).get("/api/v1/discoveries").then().statusCode(503)
                .header("Retry-After", "5").contentType("application/problem+json");
        // the service token does not depend on management-api
        Auth.given().get("/api/v1/discoveries").then().statusCode(200);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
