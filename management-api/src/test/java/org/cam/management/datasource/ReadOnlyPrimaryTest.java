package org.cam.management.datasource;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.cam.management.support.Api;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The node under management-api turns read-only, as the old primary does for a moment in a switchover: writes
 * answer 503 problem+json with Retry-After (after one repeat), reads go on, readiness stays UP and names the node;
 * writable again, writes go through without a restart.
 */
@QuarkusTest
class ReadOnlyPrimaryTest {

    private static void setReadOnly(boolean on) throws SQLException {
        String url = ConfigProvider.getConfig().getValue("quarkus.datasource.jdbc.url", String.class);
        String user = System.getenv().getOrDefault("CAM_DB_ADMIN_USER", "camadmin");
        String password = System.getenv().getOrDefault("CAM_DB_ADMIN_PASSWORD", "camadmin");
        try (Connection c = DriverManager.getConnection(url, user, password); Statement st = c.createStatement()) {
            st.execute("SET GLOBAL read_only = " + (on ? 1 : 0));
        }
    }

    @AfterEach
    void writable() throws SQLException {
        setReadOnly(false);
    }

    private static Response createGroup() {
        return Api.admin().body(Map.of("name", Api.unique("ro"), "description", "x")).post("/api/v1/groups");
    }

    @Test
    void writesAnswer503WithRetryAfterWhileReadOnlyAndResumeAfter() throws SQLException {
        createGroup().then().statusCode(201);   // token and pool warm before the switch
        setReadOnly(true);

        Response refused = createGroup();
        assertThat(refused.statusCode()).as(refused.asString()).isEqualTo(503);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.header("Retry-After")).isEqualTo(String.valueOf(PrimaryFailover.RETRY_AFTER_SECONDS));
        assertThat(refused.jsonPath().getString("detail")).contains("read-only");

        Api.admin().get("/api/v1/groups").then().statusCode(200);
        Response ready = given().get("/q/health/ready");
        assertThat(ready.statusCode()).as(ready.asString()).isEqualTo(200);
        assertThat(ready.jsonPath().getBoolean("checks.find { it.name == 'database-writes' }.data.readOnly"))
                .isTrue();
        assertThat(ready.jsonPath().getString("checks.find { it.name == 'database-writes' }.data.writesTo"))
                .isNotBlank();

        setReadOnly(false);
        createGroup().then().statusCode(201);
        assertThat(given().get("/q/health/ready").jsonPath()
                .getBoolean("checks.find { it.name == 'database-writes' }.data.readOnly")).isFalse();
    }
}
