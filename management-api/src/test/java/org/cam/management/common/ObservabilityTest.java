package org.cam.management.common;

import io.quarkus.test.junit.QuarkusTest;
import org.cam.management.support.Api;
import org.junit.jupiter.api.Test;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

@QuarkusTest
class ObservabilityTest {
    static final String METRICS_TOKEN = "test-metrics-token";

    @Test
    void readinessCoversDatabaseAndDirectory() {
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"))
                .body("checks.name", hasItems("ldap", "Database connections health check"));
    }

    @Test
    void prometheusHasLoginAndInventoryMetrics() {
        Api.login("admin", Api.ADMIN_PASSWORD).then().statusCode(200);
        Api.login("admin", "wrong-one").then().statusCode(401);
        given().auth().oauth2(METRICS_TOKEN).get("/q/metrics").then().statusCode(200)
                .body(containsString("cam_logins_total{outcome=\"success\""))
                .body(containsString("cam_logins_total{outcome=\"failure\""))
                .body(containsString("cam_targets "))
                .body(containsString("cam_devices_managed "))
                .body(containsString("cam_sessions_active "))
                .body(containsString("cam_alarms_raised "))
                .body(containsString("cam_users "));
    }

    @Test
    void openApiDescribesTheApi() {
        Api.admin().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/api/v1/me/targets"))
                .body(containsString("/api/v1/auth/login"))
                .body(containsString("/api/v1/audit-events"));
    }

    /**
     * The user-facing port gives strangers health and nothing else of /q: metrics need an admin or Prometheus's token,
     * the API description any signed-in caller; other service tokens get no metrics.
     */
    @Test
    void metricsAndOpenApiAreNotPublic() {
        given().get("/q/health/ready").then().statusCode(200);
        for (String path : new String[] {"/q/metrics", "/q/openapi", "/q/openapi?format=json"}) {
            given().get(path).then().statusCode(401);
            given().auth().oauth2("not-a-token").get(path).then().statusCode(401);
        }
        String user = Api.unique("observer");
        Api.createUser(user, "observer-pass-1", "user");
        Api.as(user, "observer-pass-1").get("/q/metrics").then().statusCode(403);
        given().auth().oauth2("test-broker-token").get("/q/metrics").then().statusCode(403);
        Api.admin().get("/q/metrics").then().statusCode(200).body(containsString("cam_users "));
        given().auth().preemptive().basic("admin", Api.ADMIN_PASSWORD).get("/q/metrics").then().statusCode(200);
        Api.as(user, "observer-pass-1").get("/q/openapi").then().statusCode(200)
                .body(containsString("/api/v1/me/targets"));
    }
}
