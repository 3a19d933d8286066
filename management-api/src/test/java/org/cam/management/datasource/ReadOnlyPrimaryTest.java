package org.cam.management.datasource;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import io.restassured.response.Response;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cam.management.identity.ldap.LdapService;
import org.cam.management.identity.service.LockoutService;
import org.cam.management.support.Api;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterEach;
import org.cam.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

/**
 * The node under management-api turns read-only, as the old primary does for a moment in a switchover: writes
 * answer 503 problem+json with Retry-After (after one repeat), reads go on, readiness stays UP and names the node;
 * writable again, writes go through without a restart.
 */
@QuarkusTest
class ReadOnlyPrimaryTest {

    @Inject
    LdapService ldap;

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

    /**
     * HTTP Basic records each attempt before it checks the password; while nothing can be recorded, automation's reads
     * must go on (the attempt is counted in memory instead), a wrong password is still a 401, and a login, which
     * stores a refresh token, is a 503 with Retry-After.
     */
    @Test
    void basicAuthReadsGoOnAndLoginsAnswer503WhileReadOnly() throws SQLException {
        given().auth().preemptive().basic("admin", Api.ADMIN_PASSWORD).get("/api/v1/groups").then().statusCode(200);
        given().auth().preemptive().basic("uma", Api.DEMO_PASSWORD).get("/api/v1/me/targets").then().statusCode(200);
        setReadOnly(true);
        // a directory user's bind is not cached now: the mirror, unchanged, writes nothing and the login goes through
        ldap.clearCache();
        Response directoryUser = given().auth().preemptive().basic("uma", Api.DEMO_PASSWORD).get("/api/v1/me/targets");
        assertThat(directoryUser.statusCode()).as(directoryUser.asString()).isEqualTo(200);

        Response read = given().auth().preemptive().basic("admin", Api.ADMIN_PASSWORD).get("/api/v1/groups");
        assertThat(read.statusCode()).as(read.asString()).isEqualTo(200);
        Response wrong = given().auth().preemptive().basic("admin", "not-the-password").get("/api/v1/groups");
        assertThat(wrong.statusCode()).as(wrong.asString()).isEqualTo(401);

        Response login = Api.login("admin", Api.ADMIN_PASSWORD);
        assertThat(login.statusCode()).as(login.asString()).isEqualTo(503);
        assertThat(login.contentType()).startsWith("application/problem+json");
        assertThat(login.header("Retry-After")).isEqualTo(String.valueOf(PrimaryFailover.RETRY_AFTER_SECONDS));

        setReadOnly(false);
        Api.login("admin", Api.ADMIN_PASSWORD).then().statusCode(200);
    }

    /** Guessing gets no free window from an outage: failures nothing can record still lock the account. */
    @Test
    void failuresWhileReadOnlyStillLockTheAccount() throws SQLException {
        String user = Api.unique("rolock");
        Api.createUser(user, "right-password-1", "user");
        given().auth().preemptive().basic(user, "right-password-1").get("/api/v1/me/targets").then().statusCode(200);
        setReadOnly(true);

        for (int i = 0; i < 3; i++) {   // the test profile's max-failures-per-user
            given().auth().preemptive().basic(user, "wrong-" + i).get("/api/v1/me/targets").then().statusCode(401);
        }
        given().auth().preemptive().basic(user, "right-password-1").get("/api/v1/me/targets").then().statusCode(401);
    }

    /**
     * Attempts recorded just before the node turned read-only, whose end could not be written: their pending rows are
     * deleted once it takes writes again, so a switchover under automation's logins never turns them into failures
     * (a pending row older than a minute counts as an abandoned attempt).
     */
    @Test
    void attemptsCutByTheSwitchAreCleanedUpAfterIt() throws SQLException {
        MutableClock clock = new MutableClock();
        LockoutService lockout = new LockoutService(3, 1000, Duration.ofMinutes(15), clock);
        String user = Api.unique("rocut");
        List<LockoutService.Attempt> attempts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            LockoutService.Attempt a = lockout.begin(user, "192.0.2.77");
            assertThat(a.locked()).isNull();
            attempts.add(a);
        }
        setReadOnly(true);
        attempts.forEach(lockout::notCounted);
        assertThat(lockout.leftOvers()).isEqualTo(3);
        lockout.deleteLeftOvers();
        assertThat(lockout.leftOvers()).as("kept while the node is read-only").isEqualTo(3);

        setReadOnly(false);
        lockout.deleteLeftOvers();
        assertThat(lockout.leftOvers()).isZero();
        clock.now = clock.now.plus(Duration.ofMinutes(2));   // past LockoutService.ABANDONED
        LockoutService.Attempt later = lockout.begin(user, "192.0.2.77");
        assertThat(later.locked()).as("no abandoned attempts left to count").isNull();
        lockout.notCounted(later);
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
