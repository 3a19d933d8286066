package org.cam.management.alarm;

import io.quarkus.test.junit.QuarkusTest;
import org.cam.management.support.Api;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** Alarms from another service (replication-monitor's webhook payload), listing, acknowledging, clearing. */
@QuarkusTest
class AlarmTest {
    static final String MONITOR = "test-replication-token";

    /** The body replication-monitor's AlarmNotifier sends (org.cam.replication.alarm.AlarmEvent). */
    static Map<String, Object> event(String action, String key) {
        Map<String, Object> e = new HashMap<>();
        e.put("action", action);
        e.put("alarm", key);
        e.put("state", "PRIMARY_DOWN");
        e.put("severity", action.equals("RAISE") ? "CRITICAL" : "CLEARED");
        e.put("since", Instant.now().minusSeconds(3).toString());
        e.put("at", Instant.now().toString());
        e.put("detail", "primary 127.0.0.1:13306 unreachable");
        e.put("primary", "127.0.0.1:13306");
        e.put("secondary", "127.0.0.1:13307");
        e.put("source", "replication-monitor");
        return e;
    }

    static io.restassured.response.Response send(String token, Map<String, Object> body) {
        return given().auth().oauth2(token).contentType("application/json").body(body).post("/api/v1/internal/alarms");
    }

    @Test
    void raiseAcknowledgeClear() {
        String key = Api.unique("replication.PRIMARY_DOWN");
        long id = send(MONITOR, event("RAISE", key)).then().statusCode(200).body("status", equalTo("raised"))
                .extract().jsonPath().getLong("id");
        // raising again keeps one open alarm
        assertThat(send(MONITOR, event("RAISE", key)).then().statusCode(200).extract().jsonPath().getLong("id"))
                .isEqualTo(id);
        Api.demo("otto").queryParam("key", key).queryParam("state", "RAISED").get("/api/v1/alarms").then()
                .statusCode(200).body("total", equalTo(1)).body("items[0].severity", equalTo("CRITICAL"))
                .body("items[0].source", equalTo("service:replication-monitor"));
        Api.demo("uma").get("/api/v1/alarms").then().statusCode(403);
        given().get("/api/v1/alarms").then().statusCode(401);

        Api.demo("otto").post("/api/v1/alarms/" + id + "/acknowledge").then().statusCode(200)
                .body("acknowledgedBy", equalTo("otto"));
        // another service cannot clear it; its own source can
        send("test-discovery-token", event("CLEAR", key)).then().statusCode(200).body("status", equalTo("not raised"));
        send(MONITOR, event("CLEAR", key)).then().statusCode(200).body("status", equalTo("cleared"));
        Api.admin().queryParam("key", key).get("/api/v1/alarms").then().statusCode(200)
                .body("items[0].state", equalTo("CLEARED")).body("items[0].acknowledgedBy", equalTo("otto"));

        send("nope", event("RAISE", key)).then().statusCode(401);
        Api.admin().body(event("RAISE", key)).post("/api/v1/internal/alarms").then().statusCode(403);
        Map<String, Object> bad = event("EXPLODE", key);
        send(MONITOR, bad).then().statusCode(400).body("field", equalTo("action"));
        Api.admin().post("/api/v1/alarms/99999999/acknowledge").then().statusCode(404);
    }

    /**
     * A hundred different alarms raised at the same instant, then cleared at the same instant (a device fleet going
     * offline while replication-monitor raises its own): every call answers 200 and none is lost. Under REPEATABLE
     * READ with a locking read before the insert, first raises locked one shared index gap and deadlocked.
     */
    @Test
    void concurrentRaisesAndClearsAreNeverLost() throws Exception {
        String prefix = Api.unique("replication.CONCURRENT");
        int n = 100;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            for (String action : new String[] {"RAISE", "CLEAR"}) {
                java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
                java.util.List<java.util.concurrent.Future<Integer>> codes = new java.util.ArrayList<>();
                for (int i = 0; i < n; i++) {
                    String key = prefix + "." + i;
                    codes.add(pool.submit(() -> {
                        start.await();
                        return send(MONITOR, event(action, key)).statusCode();
                    }));
                }
                start.countDown();
                for (java.util.concurrent.Future<Integer> c : codes) {
                    assertThat(c.get(60, java.util.concurrent.TimeUnit.SECONDS)).as(action).isEqualTo(200);
                }
                long raised = Api.admin().queryParam("state", "RAISED").queryParam("size", 500).get("/api/v1/alarms")
                        .then().statusCode(200).extract().jsonPath().getList("items.key", String.class).stream()
                        .filter(k -> k.startsWith(prefix + ".")).count();
                assertThat(raised).as("raised after " + action).isEqualTo(action.equals("RAISE") ? n : 0);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
