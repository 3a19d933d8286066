package org.cam.replication.monitor.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.cam.replication.monitor.RoleAgent;
import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** REST, security, health, metrics and alarm wiring of the running service against its own private pair. */
@QuarkusTest
@QuarkusTestResource(value = PairAndWebhookResource.class, restrictToAnnotatedClass = true)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationResourceTest {

    private static void onReplica(String sql) {
        PairAndWebhookResource.PAIR.exec(PairAndWebhookResource.PAIR.replicaPort, sql);
    }

    @Inject
    RoleAgent agent;

    /** One HAProxy agent-check exchange: send the node's name, read the one-line verdict. */
    private String agentSays(String node) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), agent.port())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write((node + "\n").getBytes(StandardCharsets.US_ASCII));
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private void assertNamedPrimary(int primaryPort, int otherPort) throws IOException {
        String primary = "127.0.0.1:" + primaryPort;
        String other = "127.0.0.1:" + otherPort;
        given().get("/api/v1/replication/nodes/" + primary + "/primary").then().statusCode(200)
                .body("primary", equalTo(true)).body("namedPrimary", equalTo(primary));
        given().get("/api/v1/replication/nodes/" + other + "/primary").then().statusCode(503)
                .body("primary", equalTo(false)).body("namedPrimary", equalTo(primary));
        given().get("/api/v1/replication/nodes/no-such-node:1/primary").then().statusCode(503);
        assertThat(agentSays(primary)).isEqualTo("up\n");
        assertThat(agentSays(other)).isEqualTo("down\n");
        assertThat(agentSays("no-such-node:1")).isEqualTo("down\n");
    }

    private static String state() {
        return given().get("/api/v1/replication/status").then().extract().path("state");
    }

    @Test
    @Order(1)
    void healthyStatusHealthAndMetrics() throws IOException {
        await().atMost(Duration.ofSeconds(20)).until(() -> "HEALTHY".equals(state()));
        given().get("/api/v1/replication/status").then().statusCode(200)
                .body("state", equalTo("HEALTHY"))
                .body("since", notNullValue())
                .body("lagMillis", notNullValue())
                .body("primary.reachable", equalTo(true))
                .body("primary.readOnly", equalTo(false))
                .body("primary.flavour", equalTo("MARIADB"))
                .body("secondary.readOnly", equalTo(true))
                .body("secondary.replica.ioRunning", equalTo("Yes"))
                .body("secondary.replica.sqlRunning", equalTo(true));
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        assertNamedPrimary(PairAndWebhookResource.PAIR.primaryPort, PairAndWebhookResource.PAIR.replicaPort);
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("cam_replication_lag_seconds"))
                .body(containsString("cam_replication_io_thread_running 1.0"))
                .body(containsString("cam_replication_state_active{state=\"HEALTHY\"} 1.0"));
    }

    @Test
    @Order(2)
    void topologyChangesAreAdminOnlyAndNeedAReason() {
        // every error is problem+json of the shared format, security errors too
        given().contentType(ContentType.JSON).body("{\"reason\":\"x\"}").post("/api/v1/replication/switchover")
                .then().statusCode(401).contentType("application/problem+json")
                .body("type", equalTo("https://cam.test/problems/unauthorized"));
        given().auth().preemptive().basic("admin", "wrong").contentType(ContentType.JSON).body("{\"reason\":\"x\"}")
                .post("/api/v1/replication/promote").then().statusCode(401).contentType("application/problem+json")
                .body("type", equalTo("https://cam.test/problems/unauthorized"));
        given().get("/api/v1/replication/nothing-here").then().statusCode(404)
                .contentType("application/problem+json").body("type", equalTo("https://cam.test/problems/not-found"));
        given().auth().preemptive().basic("admin", "camdemo").contentType(ContentType.JSON).body("{}")
                .post("/api/v1/replication/switchover").then().statusCode(400)
                .contentType("application/problem+json").body("field", equalTo("reason"));
        given().auth().preemptive().basic("admin", "camdemo").contentType(ContentType.JSON).body("{\"reason\":")
                .post("/api/v1/replication/promote").then().statusCode(400)
                .contentType("application/problem+json");
        given().get("/api/v1/replication/history?limit=0").then().statusCode(400).body("field", equalTo("limit"))
                .body("type", equalTo("https://cam.test/problems/bad-request")).body("title", equalTo("Bad Request"));
        // management-api's token: only the right one, and only naming the user it acts for; an admin names nobody.
        given().auth().oauth2("not-the-token").contentType(ContentType.JSON).body("{\"reason\":\"x\",\"actor\":\"ada\"}")
                .post("/api/v1/replication/switchover").then().statusCode(401);
        given().auth().oauth2(PairAndWebhookResource.TOKEN).contentType(ContentType.JSON).body("{\"reason\":\"x\"}")
                .post("/api/v1/replication/switchover").then().statusCode(400).body("field", equalTo("actor"));
        given().auth().preemptive().basic("admin", "camdemo").contentType(ContentType.JSON)
                .body("{\"reason\":\"x\",\"actor\":\"ada\"}")
                .post("/api/v1/replication/switchover").then().statusCode(400).body("field", equalTo("actor"));
        assertThat(state()).isEqualTo("HEALTHY");
    }

    @Test
    @Order(3)
    void stoppedSqlThreadRaisesAndClearsAnAlarm() {
        onReplica("STOP SLAVE SQL_THREAD");
        await().atMost(Duration.ofSeconds(10)).until(() -> "REPLICATION_STOPPED".equals(state()));
        await().atMost(Duration.ofSeconds(10)).until(() -> PairAndWebhookResource.ALARMS.stream()
                .anyMatch(a -> a.contains("\"RAISE\"") && a.contains("replication.REPLICATION_STOPPED")));
        given().get("/q/metrics").then().body(containsString("cam_replication_sql_thread_running 0.0"));

        onReplica("START SLAVE SQL_THREAD");
        await().atMost(Duration.ofSeconds(10)).until(() -> "HEALTHY".equals(state()));
        await().atMost(Duration.ofSeconds(10)).until(() -> PairAndWebhookResource.ALARMS.stream()
                .anyMatch(a -> a.contains("\"CLEAR\"") && a.contains("replication.REPLICATION_STOPPED")));
        // management-api accepts alarms only with the monitor's service token.
        assertThat(PairAndWebhookResource.AUTHORIZATIONS)
                .isNotEmpty().containsOnly("Bearer " + PairAndWebhookResource.TOKEN);
        given().get("/api/v1/replication/history").then().statusCode(200)
                .body("to", org.hamcrest.Matchers.hasItems("HEALTHY", "REPLICATION_STOPPED"));
    }

    @Test
    @Order(4)
    void switchoverThroughTheApiIsAudited() throws IOException {
        int newPrimary = PairAndWebhookResource.PAIR.replicaPort;
        given().auth().preemptive().basic("admin", "camdemo").contentType(ContentType.JSON)
                .body("{\"reason\":\"maintenance on the primary host\"}")
                .post("/api/v1/replication/switchover").then().statusCode(200)
                .body("outcome", equalTo("DONE"))
                .body("newPrimary", equalTo("127.0.0.1:" + newPrimary));
        given().get("/api/v1/replication/status").then()
                .body("primary.address", equalTo("127.0.0.1:" + newPrimary));
        // the role checks follow at once: the answer above came after the roles were swapped
        assertNamedPrimary(newPrimary, PairAndWebhookResource.PAIR.primaryPort);
        await().atMost(Duration.ofSeconds(15)).until(() -> "HEALTHY".equals(state()));
        given().get("/api/v1/replication/history").then()
                .body("find { it.kind == 'SWITCHOVER' }.actor", equalTo("admin"))
                .body("find { it.kind == 'SWITCHOVER' }.reason", equalTo("maintenance on the primary host"));
        assertThat(PairAndWebhookResource.PAIR.queryLong(newPrimary,
                "SELECT COUNT(*) FROM cam_monitor.audit WHERE action='SWITCHOVER' AND actor='admin'")).isEqualTo(1);
        given().get("/q/metrics").then()
                .body(containsString("cam_replication_failovers_total{kind=\"SWITCHOVER\"} 1.0"));
    }

    @Test
    @Order(5)
    void switchoverForAManagementApiUserNamesThatUser() throws IOException {
        int newPrimary = PairAndWebhookResource.PAIR.primaryPort;
        given().auth().oauth2(PairAndWebhookResource.TOKEN).contentType(ContentType.JSON)
                .body("{\"reason\":\"back after maintenance\",\"actor\":\"ada\"}")
                .post("/api/v1/replication/switchover").then().statusCode(200)
                .body("outcome", equalTo("DONE"))
                .body("newPrimary", equalTo("127.0.0.1:" + newPrimary));
        await().atMost(Duration.ofSeconds(15)).until(() -> "HEALTHY".equals(state()));
        given().get("/api/v1/replication/history").then()
                .body("findAll { it.kind == 'SWITCHOVER' }.actor", org.hamcrest.Matchers.hasItem("ada via management-api"));
        assertThat(PairAndWebhookResource.PAIR.queryLong(newPrimary, "SELECT COUNT(*) FROM cam_monitor.audit"
                + " WHERE action='SWITCHOVER' AND actor='ada via management-api' AND reason='back after maintenance'"))
                .isEqualTo(1);
    }
}
