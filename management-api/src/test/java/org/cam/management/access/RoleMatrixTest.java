package org.cam.management.access;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import org.cam.management.support.Api;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every endpoint against every role. Expected: A = allowed (any 2xx/4xx that is not 401/403), P = allowed and 503
 * (replication-monitor and discovery-service are not configured here), D = 403, U = 401.
 * Columns: admin (ada), operator (otto), user (uma), viewer (a local user), no role (vic), anonymous.
 */
@QuarkusTest
class RoleMatrixTest {
    private static final String VIEWER = "matrix-viewer";
    private static final String VIEWER_PASSWORD = "viewer-password";

    @org.junit.jupiter.api.BeforeEach
    void localViewer() {
        if (Api.admin().queryParam("q", VIEWER).get("/api/v1/users").then().extract().jsonPath().getInt("total") == 0) {
            Api.createUser(VIEWER, VIEWER_PASSWORD, "viewer");
        }
    }

    @ParameterizedTest(name = "{0} {1}: ada={2} otto={3} uma={4} viewer={5} vic={6} anon={7}")
    @CsvSource({
            "GET   , /api/v1/users, A, D, D, D, D, U",
            "POST  , /api/v1/users, A, D, D, D, D, U",
            "PUT   , /api/v1/users/999999, A, D, D, D, D, U",
            "DELETE, /api/v1/users/999999, A, D, D, D, D, U",
            "POST  , /api/v1/users/999999/unlock, A, D, D, D, D, U",
            "PUT   , /api/v1/users/999999/password, A, A, A, A, D, U",
            "GET   , /api/v1/groups, A, D, D, D, D, U",
            "GET   , /api/v1/groups/999999/members, A, D, D, D, D, U",
            "POST  , /api/v1/groups, A, D, D, D, D, U",
            "PUT   , /api/v1/groups/999999/members/1, A, D, D, D, D, U",
            "GET   , /api/v1/grants, A, D, D, D, D, U",
            "GET   , /api/v1/access/users/999999, A, D, D, D, D, U",
            "GET   , /api/v1/access/targets/999999, A, D, D, D, D, U",
            "POST  , /api/v1/grants, A, D, D, D, D, U",
            "DELETE, /api/v1/grants/999999, A, D, D, D, D, U",
            "GET   , /api/v1/assignments, A, D, D, D, D, U",
            "POST  , /api/v1/assignments, A, D, D, D, D, U",
            "GET   , /api/v1/audit-events, A, D, D, D, D, U",
            "GET   , /api/v1/ldap/status, A, D, D, D, D, U",
            "POST  , /api/v1/ldap/sync?dryRun=true, A, D, D, D, D, U",
            "GET   , /api/v1/targets, A, A, A, A, D, U",
            "GET   , /api/v1/targets/999999, A, A, A, A, D, U",
            "POST  , /api/v1/targets, A, A, D, D, D, U",
            "PUT   , /api/v1/targets/999999, A, A, D, D, D, U",
            "DELETE, /api/v1/targets/999999, A, A, D, D, D, U",
            "GET   , /api/v1/target-sets, A, A, D, D, D, U",
            "GET   , /api/v1/target-sets/999999/targets, A, A, D, D, D, U",
            "POST  , /api/v1/target-sets, A, A, D, D, D, U",
            "PUT   , /api/v1/target-sets/999999/targets/1, A, A, D, D, D, U",
            "GET   , /api/v1/me/targets, A, A, A, A, D, U",
            "GET   , /api/v1/auth/whoami, A, A, A, A, A, U",
            "GET   , /api/v1/replication/status, P, D, D, D, D, U",
            "GET   , /api/v1/replication/history, P, D, D, D, D, U",
            "POST  , /api/v1/replication/switchover, A, D, D, D, D, U",
            "POST  , /api/v1/replication/promote, A, D, D, D, D, U",
            "GET   , /api/v1/discovery/scans, P, P, D, D, D, U",
            "POST  , /api/v1/discovery/scans, P, P, D, D, D, U",
            "GET   , /api/v1/devices, A, A, D, D, D, U",
            "GET   , /api/v1/devices/999999, A, A, D, D, D, U",
            "POST  , /api/v1/devices/999999/approve, A, A, D, D, D, U",
            "POST  , /api/v1/devices/999999/reject, A, A, D, D, D, U",
            "PUT   , /api/v1/devices/999999/channels/1, A, A, D, D, D, U",
            "DELETE, /api/v1/devices/999999, A, A, D, D, D, U",
            "PUT   , /api/v1/devices/999999/configuration, A, A, D, D, D, U",
            "POST  , /api/v1/devices/999999/firmware, A, A, D, D, D, U",
            "GET   , /api/v1/devices/999999/firmware, A, A, D, D, D, U",
            "POST  , /api/v1/devices/999999/reboot, A, A, D, D, D, U",
            "POST  , /api/v1/devices/999999/channels/1/power, A, A, D, D, D, U",
            "GET   , /api/v1/firmware, A, A, D, D, D, U",
            "GET   , /api/v1/alarms, A, A, D, D, D, U",
            "POST  , /api/v1/alarms/999999/acknowledge, A, A, D, D, D, U",
            "GET   , /api/v1/sessions, A, A, A, A, D, U",
            "POST  , /api/v1/sessions, A, A, A, A, D, U",
            "GET   , /api/v1/sessions/unknown, A, A, A, A, D, U",
            "DELETE, /api/v1/sessions/unknown, A, A, D, D, D, U",
            "POST  , /api/v1/internal/discoveries, D, D, D, D, D, U",
            "POST  , /api/v1/internal/alarms, D, D, D, D, D, U",
            "POST  , /api/v1/internal/sessions/x/claim, D, D, D, D, D, U",
            "POST  , /api/v1/internal/sessions/claim-by-vnc-response, D, D, D, D, D, U",
            "POST  , /api/v1/internal/sessions/x/end, D, D, D, D, D, U",
            "POST  , /api/v1/internal/brokers/b/heartbeat, D, D, D, D, D, U",
    })
    void access(String method, String path, String ada, String otto, String uma, String viewer, String vic,
                String anon) {
        check(Api.demo("ada"), method, path, ada);
        check(Api.demo("otto"), method, path, otto);
        check(Api.demo("uma"), method, path, uma);
        check(Api.as(VIEWER, VIEWER_PASSWORD), method, path, viewer);
        check(Api.demo("vic"), method, path, vic);
        check(given().contentType("application/json"), method, path, anon);
    }

    private static void check(RequestSpecification spec, String method, String path, String expected) {
        // An empty JSON object: enough to pass authorisation and fail validation, never to change anything.
        int status = spec.body("{}").request(method, path).statusCode();
        switch (expected) {
            case "A" -> assertThat(status).as(method + " " + path).isNotIn(401, 403).isLessThan(500);
            // allowed, and the peer service this test server has none of is reported unavailable (503)
            case "P" -> assertThat(status).as(method + " " + path).isEqualTo(503);
            case "D" -> assertThat(status).as(method + " " + path).isEqualTo(403);
            case "U" -> assertThat(status).as(method + " " + path).isEqualTo(401);
            default -> throw new IllegalArgumentException(expected);
        }
    }
}
