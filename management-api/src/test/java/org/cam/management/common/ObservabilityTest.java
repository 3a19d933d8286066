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
        given().get("/q/metrics").then().statusCode(200)
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
        given().get("/q/openapi?format=json").then().statusCode(200)
                .body(containsString("/api/v1/me/targets"))
                .body(containsString("/api/v1/auth/login"))
                .body(containsString("/api/v1/audit-events"));
    }
}
