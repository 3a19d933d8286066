package org.cam.management.session;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.cam.management.session.service.SessionExpiry;
import org.cam.management.support.Api;
import org.cam.protocol.rfb.VncAuth;
import org.cam.protocol.ticket.Ticket;
import org.cam.protocol.ticket.TicketKeys;
import org.cam.protocol.ticket.TicketVerifier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

/** Session requests, policies under concurrency, broker claims (by id and by VNC response), end, disconnect. */
@QuarkusTest
class SessionTest {
    static final String BROKER = "test-broker-token";

    @Inject
    SessionExpiry expiry;

    @Inject
    io.micrometer.core.instrument.MeterRegistry meters;

    @BeforeEach
    void directoryImported() {
        Api.syncLdap();
    }

    static long target(String policy) {
        return Api.admin().body(Map.of("name", Api.unique("st-" + policy.toLowerCase()), "host", "127.0.0.1",
                "port", 5999, "accessPolicy", policy)).post("/api/v1/targets").then().statusCode(201)
                .extract().jsonPath().getLong("id");
    }

    static Response open(io.restassured.specification.RequestSpecification as, long target, String mode) {
        return as.body(Map.of("targetId", target, "mode", mode)).post("/api/v1/sessions");
    }

    static Response claim(String sessionId, String brokerId) {
        return given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("brokerId", brokerId, "clientAddress", "198.51.100.23"))
                .post("/api/v1/internal/sessions/" + sessionId + "/claim");
    }

    static <T> List<T> concurrently(int n, Callable<T> task) throws Exception {
        return org.cam.management.support.Api.concurrently(n, task);
    }

    @Test
    void requestAnswersTicketPasswordAndWhereToConnect() throws Exception {
        long t = target("SHARED");
        JsonPath s = open(Api.admin(), t, "control").then().statusCode(201).extract().jsonPath();
        assertThat(s.getString("sessionId")).hasSize(20);
        assertThat(s.getString("vncPassword")).hasSize(8);
        assertThat(s.getString("rfb")).isEqualTo("127.0.0.1:9900");
        assertThat(s.getString("rfbTls")).isEqualTo("127.0.0.1:9901");
        assertThat(s.getString("websocketUrl")).startsWith("wss://");
        Instant expires = Instant.parse(s.getString("expiresAt"));
        assertThat(expires).isBetween(Instant.now().plusSeconds(20), Instant.now().plusSeconds(31));

        // the ticket verifies with the public key file the broker reads
        PublicKey pub = TicketKeys.publicKeyFromPem(Files.readString(Path.of(System.getProperty("java.io.tmpdir"),
                "cam-management-test-ticket", "ticket-public.pem")));
        Ticket ticket = new TicketVerifier(Map.of(TicketKeys.keyId(pub), pub), Clock.systemUTC(), Duration.ofSeconds(5))
                .verify(s.getString("ticket"), "cam-broker");
        assertThat(ticket.sessionId()).isEqualTo(s.getString("sessionId"));
        assertThat(ticket.user()).isEqualTo("admin");
        assertThat(ticket.targetId()).isEqualTo(String.valueOf(t));
        assertThat(ticket.mode().name()).isEqualTo("CONTROL");

        Api.admin().queryParam("state", "PENDING").queryParam("targetId", t).get("/api/v1/sessions").then()
                .statusCode(200).body("total", equalTo(1)).body("items[0].user", equalTo("admin"));
    }

    @Test
    void aTicketClaimedByTwentyThreadsIsWonOnce() throws Exception {
        long t = target("SHARED");
        String id = open(Api.admin(), t, "control").then().statusCode(201).extract().jsonPath().getString("sessionId");
        List<Integer> codes = concurrently(20, () -> claim(id, "broker-" + Thread.currentThread().getId()).statusCode());
        assertThat(codes).filteredOn(c -> c == 200).hasSize(1);
        assertThat(codes).filteredOn(c -> c == 409).hasSize(19);
        JsonPath view = Api.admin().get("/api/v1/sessions/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(view.getString("state")).isEqualTo("ACTIVE");
        assertThat(view.getString("brokerId")).startsWith("broker-");
        Api.admin().get("/api/v1/targets/" + t).then().statusCode(200)
                .body("status", equalTo("REMOTE_ACTIVE_SESSION"))
                .body("statusText", equalTo("Remote active session (admin)"));
    }

    @Test
    void exclusiveAdmitsOneSessionUnderConcurrentRequests() throws Exception {
        long t = target("EXCLUSIVE");
        List<Response> rs = concurrently(8, () -> open(Api.admin(), t, "view"));
        assertThat(rs).filteredOn(r -> r.statusCode() == 201).hasSize(1);
        assertThat(rs).filteredOn(r -> r.statusCode() == 409).hasSize(7)
                .allSatisfy(r -> assertThat(r.jsonPath().getString("detail")).startsWith("exclusive"));
    }

    @Test
    void sharedViewAdmitsOneControllerAndManyViewers() throws Exception {
        long t = target("SHARED_VIEW");
        List<Response> control = concurrently(8, () -> open(Api.admin(), t, "control"));
        assertThat(control).filteredOn(r -> r.statusCode() == 201).hasSize(1);
        assertThat(control).filteredOn(r -> r.statusCode() == 409).hasSize(7)
                .allSatisfy(r -> assertThat(r.jsonPath().getString("detail")).startsWith("busy"));
        List<Response> view = concurrently(6, () -> open(Api.admin(), t, "view"));
        assertThat(view).allSatisfy(r -> assertThat(r.statusCode()).isEqualTo(201));
        // shared: several controllers
        long shared = target("SHARED");
        assertThat(concurrently(4, () -> open(Api.admin(), shared, "control").statusCode())).containsOnly(201);
    }

    @Test
    void viewOnlyUsersCannotObtainControl() {
        long t = target("SHARED");
        String tag = Api.unique("sv");
        long set = Api.createSet(tag + "-set", t);
        String viewer = Api.unique("viewer");
        long viewerId = Api.createUser(viewer, "viewer-pass-1", "viewer");
        long team = Api.admin().body(Map.of("name", tag + "-team")).post("/api/v1/groups").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        Api.admin().put("/api/v1/groups/" + team + "/members/" + viewerId).then().statusCode(204);
        Api.grant(team, set, "FULL_CONTROL");   // capped at view by the viewer role

        open(Api.as(viewer, "viewer-pass-1"), t, "control").then().statusCode(403).body("field", equalTo("mode"))
                .body("detail", startsWith("view only"));
        open(Api.as(viewer, "viewer-pass-1"), t, "view").then().statusCode(201);
        // uma has no grant on this target
        open(Api.demo("uma"), t, "view").then().statusCode(403).body("detail", startsWith("no grant"));
        // vic has no role at all
        open(Api.demo("vic"), t, "view").then().statusCode(403);
        // viewers see only their own sessions
        assertThat(Api.as(viewer, "viewer-pass-1").get("/api/v1/sessions").then().statusCode(200).extract()
                .jsonPath().getList("items.user")).containsOnly(viewer);
        assertThat(Api.admin().queryParam("actor", viewer).queryParam("action", "SESSION_REQUEST")
                .get("/api/v1/audit-events").then().statusCode(200).extract().jsonPath().getList("items.outcome"))
                .contains("DENIED", "SUCCESS");
    }

    @Test
    void claimByVncResponse() {
        long t = target("SHARED");
        JsonPath s = open(Api.admin(), t, "view").then().statusCode(201).extract().jsonPath();
        byte[] challenge = new byte[16];
        new SecureRandom().nextBytes(challenge);
        Map<String, Object> wrong = vncBody(challenge, VncAuth.response(challenge, "notmine1"));
        given().auth().oauth2(BROKER).contentType("application/json").body(wrong)
                .post("/api/v1/internal/sessions/claim-by-vnc-response").then().statusCode(409);
        Map<String, Object> right = vncBody(challenge, VncAuth.response(challenge, s.getString("vncPassword")));
        given().auth().oauth2(BROKER).contentType("application/json").body(right)
                .post("/api/v1/internal/sessions/claim-by-vnc-response").then().statusCode(200)
                .body("sessionId", equalTo(s.getString("sessionId"))).body("mode", equalTo("VIEW"))
                .body("device.host", equalTo("127.0.0.1")).body("device.port", equalTo(5999))
                .body("device.auth", equalTo("NONE"));
        given().auth().oauth2(BROKER).contentType("application/json").body(right)
                .post("/api/v1/internal/sessions/claim-by-vnc-response").then().statusCode(409);
    }

    @Test
    void vncGuessingIsLimitedPerClientAddress() {
        long t = target("SHARED");
        String password = open(Api.admin(), t, "view").then().statusCode(201).extract().jsonPath()
                .getString("vncPassword");
        String address = freshAddress();
        byte[] challenge = new byte[16];
        for (int i = 0; i < 10; i++) {
            new SecureRandom().nextBytes(challenge);
            given().auth().oauth2(BROKER).contentType("application/json")
                    .body(vncBody(challenge, VncAuth.response(challenge, "guess" + i), address))
                    .post("/api/v1/internal/sessions/claim-by-vnc-response").then().statusCode(409);
        }
        // even the right password is refused from that address now, and the broker is told to back off
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(vncBody(challenge, VncAuth.response(challenge, password), address))
                .post("/api/v1/internal/sessions/claim-by-vnc-response").then().statusCode(429)
                .header("Retry-After", "60").body("detail", startsWith("too many failed attempts"))
                .body("field", equalTo("response"));
    }

    /**
     * Parallel guesses from one address: each is recorded before it is checked and decided on the count including it,
     * so no more than the limit (10) are checked; the rest are refused without reading a session, counted in the
     * metrics and not audited one by one.
     */
    @Test
    void parallelVncGuessesGetNoMoreChecksThanTheLimit() throws Exception {
        long t = target("SHARED");
        open(Api.admin(), t, "view").then().statusCode(201);
        String address = freshAddress();
        double throttledBefore = vncClaims("throttled");
        List<Integer> statuses = concurrently(30, () -> {
            byte[] challenge = new byte[16];
            new SecureRandom().nextBytes(challenge);
            return given().auth().oauth2(BROKER).contentType("application/json")
                    .body(vncBody(challenge, VncAuth.response(challenge, "nope" + challenge[0]), address))
                    .post("/api/v1/internal/sessions/claim-by-vnc-response").then().extract().statusCode();
        });
        long checked = statuses.stream().filter(s -> s == 409).count();
        long throttled = statuses.stream().filter(s -> s == 429).count();
        assertThat(checked + throttled).as("%s", statuses).isEqualTo(30);
        assertThat(checked).as("%s", statuses).isBetween(1L, 10L);
        assertThat(vncClaims("throttled") - throttledBefore).isEqualTo(throttled);
        // one audit row per checked guess, none for the refused ones
        assertThat(auditRows(address)).isEqualTo(checked);
    }

    /** The count lives in the database: failures another replica recorded throttle this one too. */
    @Test
    void vncGuessesOfOtherReplicasCount() {
        long t = target("SHARED");
        String password = open(Api.admin(), t, "view").then().statusCode(201).extract().jsonPath()
                .getString("vncPassword");
        String address = freshAddress();
        QuarkusTransaction.requiringNew().run(() -> {
            for (int i = 0; i < 10; i++) {
                io.quarkus.hibernate.orm.panache.Panache.getEntityManager().createNativeQuery(
                                "INSERT INTO login_failure (kind, subject, failed_at, pending) VALUES ('V', ?1, ?2, FALSE)")
                        .setParameter(1, address).setParameter(2, Instant.now()).executeUpdate();
            }
        });
        byte[] challenge = new byte[16];
        new SecureRandom().nextBytes(challenge);
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(vncBody(challenge, VncAuth.response(challenge, password), address))
                .post("/api/v1/internal/sessions/claim-by-vnc-response").then().statusCode(429);
        // another address is not affected
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(vncBody(challenge, VncAuth.response(challenge, password), freshAddress()))
                .post("/api/v1/internal/sessions/claim-by-vnc-response").then().statusCode(200);
    }

    private static String freshAddress() {
        return "203.0." + (1 + new SecureRandom().nextInt(250)) + "." + (1 + new SecureRandom().nextInt(250));
    }

    private double vncClaims(String outcome) {
        var c = meters.find("cam.sessions.vnc.claims").tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    private static long auditRows(String address) {
        return QuarkusTransaction.requiringNew().call(() -> org.cam.management.audit.AuditEvent.count(
                "action = ?1 and sourceAddress = ?2", "SESSION_CLAIM", address));
    }

    static Map<String, Object> vncBody(byte[] challenge, byte[] response) {
        return vncBody(challenge, response, "198.51.100.77");
    }

    static Map<String, Object> vncBody(byte[] challenge, byte[] response, String clientAddress) {
        return Map.of("brokerId", "broker-vnc", "clientAddress", clientAddress,
                "challenge", Base64.getEncoder().encodeToString(challenge),
                "response", Base64.getEncoder().encodeToString(response));
    }

    @Test
    void adminDisconnectReachesTheBrokerThroughItsHeartbeat() {
        long t = target("SHARED");
        String broker = Api.unique("broker");
        String id = open(Api.demo("otto"), t, "control").then().statusCode(201).extract().jsonPath()
                .getString("sessionId");
        claim(id, broker).then().statusCode(200);
        heartbeat(broker, id).then().statusCode(200).body("terminate", org.hamcrest.Matchers.empty());

        Api.demo("uma").delete("/api/v1/sessions/" + id).then().statusCode(403);
        Api.admin().delete("/api/v1/sessions/" + id).then().statusCode(202);
        heartbeat(broker, id).then().statusCode(200).body("terminate", equalTo(List.of(id)));
        // the broker ends it and reports; a repeated report is accepted and ignored
        for (int i = 0; i < 2; i++) {
            given().auth().oauth2(BROKER).contentType("application/json")
                    .body(Map.of("brokerId", broker, "reason", "admin_disconnect", "bytesFromClient", 10,
                            "bytesFromDevice", 2000, "endedAt", Instant.now().toString()))
                    .post("/api/v1/internal/sessions/" + id + "/end").then().statusCode(204);
        }
        JsonPath v = Api.admin().get("/api/v1/sessions/" + id).then().statusCode(200).extract().jsonPath();
        assertThat(v.getString("state")).isEqualTo("ENDED");
        assertThat(v.getString("endReason")).isEqualTo("admin_disconnect: disconnected by admin");
        assertThat(v.getLong("bytesFromDevice")).isEqualTo(2000);
        heartbeat(broker).then().statusCode(200).body("terminate", org.hamcrest.Matchers.empty());
        Api.admin().delete("/api/v1/sessions/" + id).then().statusCode(409);
        assertThat(Api.admin().queryParam("objectId", id).get("/api/v1/audit-events").then().statusCode(200)
                .extract().jsonPath().getList("items.action"))
                .contains("SESSION_REQUEST", "SESSION_CLAIM", "SESSION_DISCONNECT", "SESSION_END");
    }

    @Test
    void pendingDisconnectEndsAtOnceAndABrokerThatForgetsASessionLosesIt() {
        long t = target("SHARED");
        String pending = open(Api.admin(), t, "view").then().statusCode(201).extract().jsonPath().getString("sessionId");
        Api.demo("otto").delete("/api/v1/sessions/" + pending).then().statusCode(204);
        Api.admin().get("/api/v1/sessions/" + pending).then().statusCode(200).body("state", equalTo("ENDED"))
                .body("endReason", equalTo("disconnected by otto"));
        claim(pending, "broker-x").then().statusCode(409);

        // an ACTIVE session its broker no longer reports (claimed long enough ago) ends as broker_lost
        String broker = Api.unique("broker");
        String lost = open(Api.admin(), t, "view").then().statusCode(201).extract().jsonPath().getString("sessionId");
        claim(lost, broker).then().statusCode(200);
        heartbeat(broker).then().statusCode(200);
        Api.admin().get("/api/v1/sessions/" + lost).then().statusCode(200).body("state", equalTo("ACTIVE"));
        QuarkusTransaction.requiringNew().run(() -> {
            KvmSession s = KvmSession.findById(lost);
            s.claimedAt = Instant.now().minusSeconds(120);
        });
        heartbeat(broker).then().statusCode(200);
        Api.admin().get("/api/v1/sessions/" + lost).then().statusCode(200).body("state", equalTo("ENDED"))
                .body("endReason", equalTo("broker_lost"));
    }

    static Response heartbeat(String broker, String... active) {
        return given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("activeSessionIds", List.of(active), "draining", false))
                .post("/api/v1/internal/brokers/" + broker + "/heartbeat");
    }

    @Test
    void unclaimedSessionsExpire() {
        long t = target("EXCLUSIVE");
        String id = open(Api.admin(), t, "control").then().statusCode(201).extract().jsonPath().getString("sessionId");
        open(Api.admin(), t, "control").then().statusCode(409);
        QuarkusTransaction.requiringNew().run(() -> {
            KvmSession s = KvmSession.findById(id);
            s.expiresAt = Instant.now().minusSeconds(1);
        });
        claim(id, "broker-late").then().statusCode(409);
        QuarkusTransaction.requiringNew().run(() -> expiry.expireNow());
        Api.admin().get("/api/v1/sessions/" + id).then().statusCode(200).body("state", equalTo("ENDED"))
                .body("endReason", equalTo("expired"));
        open(Api.admin(), t, "control").then().statusCode(201);
    }

    @Test
    void badInputNeverGivesA500() {
        Api.admin().body("{}").post("/api/v1/sessions").then().statusCode(400);
        Api.admin().body(Map.of("targetId", 1, "mode", "bogus")).post("/api/v1/sessions").then().statusCode(400)
                .body("field", equalTo("mode"));
        Api.admin().body(Map.of("targetId", "abc", "mode", "view")).post("/api/v1/sessions").then().statusCode(400)
                .body("field", equalTo("targetId"));
        Api.admin().body("{not json").post("/api/v1/sessions").then().statusCode(400);
        Api.admin().body(Map.of("targetId", 99999999, "mode", "view")).post("/api/v1/sessions").then()
                .statusCode(404);
        Api.admin().get("/api/v1/sessions/nope").then().statusCode(404);
        // an unconvertible query parameter is a 404 in JAX-RS (as for GET /targets?policy=...)
        Api.admin().queryParam("state", "SLEEPING").get("/api/v1/sessions").then().statusCode(404);
        claim("does-not-exist", "b").then().statusCode(409);
        given().auth().oauth2(BROKER).contentType("application/json").body(Map.of("clientAddress", "x"))
                .post("/api/v1/internal/sessions/x/claim").then().statusCode(400).body("field", equalTo("brokerId"));
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("brokerId", "b", "challenge", "***", "response", "AAAA"))
                .post("/api/v1/internal/sessions/claim-by-vnc-response").then().statusCode(400)
                .body("field", equalTo("challenge"));
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("brokerId", "b", "challenge", "AAAA", "response", "AAAA"))
                .post("/api/v1/internal/sessions/claim-by-vnc-response").then().statusCode(400);
        given().auth().oauth2(BROKER).contentType("application/json").body(Map.of("reason", "client_closed"))
                .post("/api/v1/internal/sessions/unknown/end").then().statusCode(404);
        given().auth().oauth2(BROKER).contentType("application/json").body(Map.of("activeSessionIds", "x"))
                .post("/api/v1/internal/brokers/b/heartbeat").then().statusCode(400);
        // the internal API is the broker's only
        given().contentType("application/json").body(Map.of("brokerId", "b"))
                .post("/api/v1/internal/sessions/x/claim").then().statusCode(401);
        given().auth().oauth2("wrong-token").contentType("application/json").body(Map.of("brokerId", "b"))
                .post("/api/v1/internal/sessions/x/claim").then().statusCode(401);
        Api.admin().body(Map.of("brokerId", "b")).post("/api/v1/internal/sessions/x/claim").then().statusCode(403);
        given().auth().oauth2("test-discovery-token").contentType("application/json").body(Map.of("brokerId", "b"))
                .post("/api/v1/internal/sessions/x/claim").then().statusCode(403);
    }
}
