package org.cam.management.session;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import org.cam.management.session.service.SessionExpiry;
import org.cam.management.support.Api;
import org.cam.protocol.ticket.Ticket;
import org.cam.protocol.ticket.TicketKeys;
import org.cam.protocol.ticket.TicketVerifier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/**
 * Resume: a session outlives the broker connection that carries it. The owner asks for a resume ticket, one broker
 * claims the next leg with it, once; the legs and their bytes add up; an operator's disconnect, an ended session,
 * someone else's session and a closed window are refused.
 */
@QuarkusTest
class SessionResumeTest {

    @Inject
    SessionExpiry expiry;

    @BeforeEach
    void directoryImported() {
        Api.syncLdap();
    }

    private static Ticket ticket(String token) throws Exception {
        PublicKey pub = TicketKeys.publicKeyFromPem(Files.readString(Path.of(System.getProperty("java.io.tmpdir"),
                "cam-management-test-ticket", "ticket-public.pem")));
        return new TicketVerifier(Map.of(TicketKeys.keyId(pub), pub), Clock.systemUTC(), Duration.ofSeconds(5))
                .verify(token, "cam-broker");
    }

    /** A session otto opened and broker {@code broker} claimed (leg 1); returns its id. */
    private static String active(String broker) throws Exception {
        long t = SessionTest.target("SHARED");
        JsonPath opened = SessionTest.open(Api.demo("otto"), t, "control").then().statusCode(201).extract().jsonPath();
        String id = opened.getString("sessionId");
        claim(id, broker, ticket(opened.getString("ticket")).issuedAt()).then().statusCode(200)
                .body("leg", equalTo(1)).body("resumable", equalTo(true));
        return id;
    }

    private static Response claim(String id, String broker, Instant ticketIssuedAt) {
        return given().auth().oauth2(SessionTest.BROKER).contentType("application/json")
                .body(Map.of("brokerId", broker, "clientAddress", "198.51.100.24",
                        "ticketIssuedAt", ticketIssuedAt.toString()))
                .post("/api/v1/internal/sessions/" + id + "/claim");
    }

    private static Response end(String id, String broker, int leg, String reason, long fromClient, long fromDevice,
                                boolean resumable) {
        Map<String, Object> body = new HashMap<>(Map.of("brokerId", broker, "reason", reason, "bytesFromClient",
                fromClient, "bytesFromDevice", fromDevice, "endedAt", Instant.now().toString(), "leg", leg,
                "resumable", resumable));
        return given().auth().oauth2(SessionTest.BROKER).contentType("application/json").body(body)
                .post("/api/v1/internal/sessions/" + id + "/end");
    }

    private static JsonPath resume(String user, String id, int status) {
        return Api.demo(user).post("/api/v1/sessions/" + id + "/resume").then().statusCode(status).extract()
                .jsonPath();
    }

    private static JsonPath view(String id) {
        return Api.admin().get("/api/v1/sessions/" + id).then().statusCode(200).extract().jsonPath();
    }

    @Test
    void aDrainedLegResumesOnAnotherBrokerOnceAndTheLegsAddUp() throws Exception {
        String a = Api.unique("broker-a");
        String b = Api.unique("broker-b");
        String id = active(a);
        Instant firstTicket = Instant.now().minusSeconds(1);

        end(id, a, 1, "broker_drained", 10, 2000, true).then().statusCode(204);
        JsonPath resuming = view(id);
        assertThat(resuming.getString("state")).isEqualTo("RESUMING");
        assertThat(Instant.parse(resuming.getString("resumeUntil"))).isAfter(Instant.now());

        JsonPath r = resume("otto", id, 200);
        assertThat(r.getInt("leg")).isEqualTo(2);
        assertThat(r.getString("websocketUrl")).startsWith("wss://");
        Ticket resumeTicket = ticket(r.getString("ticket"));
        assertThat(resumeTicket.sessionId()).isEqualTo(id);
        assertThat(resumeTicket.user()).isEqualTo("otto");

        // a ticket issued before the request (the session's first one) does not claim the next leg
        claim(id, b, firstTicket).then().statusCode(409);
        claim(id, b, resumeTicket.issuedAt()).then().statusCode(200).body("leg", equalTo(2))
                .body("sessionId", equalTo(id));
        // once
        claim(id, Api.unique("broker-c"), resumeTicket.issuedAt()).then().statusCode(409);

        JsonPath carried = view(id);
        assertThat(carried.getString("state")).isEqualTo("ACTIVE");
        assertThat(carried.getString("brokerId")).isEqualTo(b);

        end(id, b, 2, "client_closed", 5, 1000, false).then().statusCode(204);
        JsonPath ended = view(id);
        assertThat(ended.getString("state")).isEqualTo("ENDED");
        assertThat(ended.getString("endReason")).isEqualTo("client_closed");
        assertThat(ended.getLong("bytesFromClient")).isEqualTo(15);
        assertThat(ended.getLong("bytesFromDevice")).isEqualTo(3000);
        assertThat(ended.getInt("legCount")).isEqualTo(2);
        assertThat(ended.getList("legs.brokerId")).containsExactly(a, b);
        assertThat(ended.getList("legs.endReason")).containsExactly("broker_drained", "client_closed");
        assertThat(Api.admin().queryParam("objectId", id).get("/api/v1/audit-events").then().statusCode(200)
                .extract().jsonPath().getList("items.action"))
                .contains("SESSION_CLAIM", "SESSION_LEG_END", "SESSION_RESUME", "SESSION_END");
        // and the ended session is not resumed again
        resume("otto", id, 409);
    }

    @Test
    void aSessionWhoseBrokerDiedMovesAndItsOldLegIsSuperseded() throws Exception {
        String a = Api.unique("broker-a");
        String b = Api.unique("broker-b");
        String id = active(a);
        // broker a is gone without a word: the console lost its connection and asks at once
        Ticket t = ticket(resume("otto", id, 200).getString("ticket"));
        claim(id, b, t.issuedAt()).then().statusCode(200).body("leg", equalTo(2));
        JsonPath moved = view(id);
        assertThat(moved.getList("legs.endReason")).containsExactly("resumed on " + b, null);

        // broker a was alive after all (a network cut): it still lists the session and is told to let go
        SessionTest.heartbeat(a, id).then().statusCode(200).body("superseded", equalTo(List.of(id)))
                .body("terminate", org.hamcrest.Matchers.empty());
        end(id, a, 1, "resumed_elsewhere", 7, 700, false).then().statusCode(204);
        JsonPath after = view(id);
        assertThat(after.getString("state")).isEqualTo("ACTIVE");
        assertThat(after.getString("brokerId")).isEqualTo(b);
        assertThat(after.getLong("bytesFromDevice")).isEqualTo(700);

        // the new leg is as old as its claim: broker b's heartbeat before its relay starts does not lose it
        QuarkusTransaction.requiringNew().run(() -> {
            KvmSession s = KvmSession.findById(id);
            s.claimedAt = Instant.now().minusSeconds(600);
        });
        SessionTest.heartbeat(b).then().statusCode(200);
        assertThat(view(id).getString("state")).isEqualTo("ACTIVE");
        SessionTest.heartbeat(b, id).then().statusCode(200).body("superseded", org.hamcrest.Matchers.empty());
    }

    /** A recorded session resumes too: each leg's recording is its own, the later ones named <session id>.<leg>. */
    @Test
    void aRecordedSessionResumesAndEachLegHasItsRecording() throws Exception {
        long t = Api.createTarget(Api.unique("rec-resume"));
        long set = Api.createSet(Api.unique("rec-resume-set"), t);
        Api.admin().body(Map.of("recording", "ALWAYS", "failClosed", false))
                .put("/api/v1/target-sets/" + set + "/recording").then().statusCode(200);
        JsonPath opened = SessionTest.open(Api.admin(), t, "control").then().statusCode(201).extract().jsonPath();
        String id = opened.getString("sessionId");
        String a = Api.unique("broker-a");
        String b = Api.unique("broker-b");
        claim(id, a, ticket(opened.getString("ticket")).issuedAt()).then().statusCode(200)
                .body("resumable", equalTo(true)).body("recording.enabled", equalTo(true));
        String first = "a".repeat(64);
        String second = "b".repeat(64);
        endRecorded(id, a, 1, true, first);
        assertThat(view(id).getString("state")).isEqualTo("RESUMING");
        Ticket t2 = ticket(Api.admin().post("/api/v1/sessions/" + id + "/resume").then().statusCode(200).extract()
                .jsonPath().getString("ticket"));
        claim(id, b, t2.issuedAt()).then().statusCode(200).body("leg", equalTo(2))
                .body("recording.enabled", equalTo(true));
        endRecorded(id, b, 2, false, second);

        QuarkusTransaction.requiringNew().run(() -> {
            org.cam.management.recording.SessionRecording one =
                    org.cam.management.recording.SessionRecording.findById(id);
            org.cam.management.recording.SessionRecording two =
                    org.cam.management.recording.SessionRecording.findById(id + ".2");
            assertThat(one.digest).isEqualTo(first);
            assertThat(two.digest).isEqualTo(second);
            assertThat(two.startedAt).isAfterOrEqualTo(one.startedAt);
        });
        assertThat(Api.admin().queryParam("objectId", id).queryParam("action", "SESSION_END")
                .get("/api/v1/audit-events").then().statusCode(200).extract().jsonPath().getString("items[0].details"))
                .contains("recordingId=" + id + ".2").contains("sha256:" + second);
    }

    private static void endRecorded(String id, String broker, int leg, boolean resumable, String digest) {
        Map<String, Object> body = new HashMap<>(Map.of("brokerId", broker, "reason", resumable ? "broker_drained"
                : "client_closed", "bytesFromClient", 1, "bytesFromDevice", 100, "endedAt", Instant.now().toString(),
                "leg", leg, "resumable", resumable));
        body.put("recording", Map.of("digest", digest, "bytes", 1000, "segments", 2, "durationMillis", 5000,
                "complete", true));
        given().auth().oauth2(SessionTest.BROKER).contentType("application/json").body(body)
                .post("/api/v1/internal/sessions/" + id + "/end").then().statusCode(204);
    }

    @Test
    void anOperatorsDisconnectIsNeverUndoneByAResume() throws Exception {
        String a = Api.unique("broker-a");
        String id = active(a);
        Ticket early = ticket(resume("otto", id, 200).getString("ticket"));
        Api.admin().delete("/api/v1/sessions/" + id).then().statusCode(202);
        // a ticket from before the disconnect claims nothing, and no new one is issued
        claim(id, Api.unique("broker-b"), early.issuedAt()).then().statusCode(409);
        assertThat(resume("otto", id, 409).getString("detail")).contains("disconnected by admin");

        // a RESUMING session an operator disconnects ends at once
        String b = Api.unique("broker-b");
        String waiting = active(b);
        end(waiting, b, 1, "broker_drained", 1, 1, true).then().statusCode(204);
        Api.demo("otto").delete("/api/v1/sessions/" + waiting).then().statusCode(204);
        assertThat(view(waiting).getString("state")).isEqualTo("ENDED");
        resume("otto", waiting, 409);
    }

    @Test
    void someoneElsesSessionAPendingOneAndAClosedWindowAreRefused() throws Exception {
        String a = Api.unique("broker-a");
        String id = active(a);
        resume("uma", id, 404);                                          // not hers: she does not even see it
        Api.admin().post("/api/v1/sessions/" + id + "/resume").then().statusCode(403)   // sees it, does not own it
                .contentType(org.hamcrest.Matchers.startsWith("application/problem+json"))
                .body("field", equalTo("id"));

        long t = SessionTest.target("SHARED");
        String pending = SessionTest.open(Api.demo("otto"), t, "view").then().statusCode(201).extract().jsonPath()
                .getString("sessionId");
        resume("otto", pending, 409);

        end(id, a, 1, "broker_drained", 1, 1, true).then().statusCode(204);
        QuarkusTransaction.requiringNew().run(() -> {
            KvmSession s = KvmSession.findById(id);
            s.resumeUntil = Instant.now().minusSeconds(1);
        });
        assertThat(resume("otto", id, 409).getString("detail")).contains("could be resumed until");
        QuarkusTransaction.requiringNew().run(() -> expiry.expireNow());
        JsonPath ended = view(id);
        assertThat(ended.getString("state")).isEqualTo("ENDED");
        assertThat(ended.getString("endReason")).isEqualTo("broker_drained: not resumed");
        resume("otto", "no-such-session", 404);
    }
}
