package org.cam.management.recording;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.Deflater;
import org.cam.management.recording.service.RecordingRetention;
import org.cam.management.session.KvmSession;
import org.cam.management.support.Api;
import org.cam.protocol.recording.Record;
import org.cam.protocol.recording.RecordCodec;
import org.cam.protocol.recording.SegmentCodec;
import org.cam.protocol.rfb.PixelFormat;
import org.cam.protocol.rfb.ServerInit;
import org.junit.jupiter.api.Test;

/**
 * Recording policy per target set, the claim telling the broker, the end report's digest in the audit trail, the
 * recordings API (list, q= over the typed text, metadata with verification, range requests), the auditor role and
 * retention. The recording files are written with protocol's codecs, as the broker writes them.
 */
@QuarkusTest
class RecordingApiTest {

    static final String BROKER = "test-broker-token";

    @Inject
    RecordingRetention retention;

    static Path storage() {
        return Path.of(System.getProperty("java.io.tmpdir"), "cam-management-test-recordings");
    }

    /** A target in a set recorded ALWAYS (fail-closed as given); returns the target id. */
    static long recordedTarget(boolean failClosed) {
        long t = Api.createTarget(Api.unique("rec-target"));
        long set = Api.createSet(Api.unique("rec-set"), t);
        Api.admin().body(Map.of("recording", "ALWAYS", "failClosed", failClosed))
                .put("/api/v1/target-sets/" + set + "/recording").then().statusCode(200)
                .body("recording", equalTo("ALWAYS")).body("failClosed", equalTo(failClosed))
                .body("effective", equalTo("ALWAYS")).body("effectiveFailClosed", equalTo(failClosed))
                .body("enforcedBy", nullValue());
        return t;
    }

    static String open(long target) {
        return Api.admin().body(Map.of("targetId", target, "mode", "control")).post("/api/v1/sessions").then()
                .statusCode(201).extract().jsonPath().getString("sessionId");
    }

    static Response claim(String id) {
        return given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("brokerId", "rec-broker", "clientAddress", "198.51.100.7"))
                .post("/api/v1/internal/sessions/" + id + "/claim");
    }

    /** Writes a recording of {@code typed} (key presses) in two segments; returns the digest. */
    static String writeRecording(String sessionId, String typed) throws Exception {
        ServerInit init = new ServerInit(1024, 768, PixelFormat.RGB888, "rec");
        ByteArrayOutputStream seg0 = new ByteArrayOutputStream();
        seg0.writeBytes(RecordCodec.encode(new Record.Header(0, RecordCodec.VERSION, sessionId, "1", "admin",
                "CONTROL", System.currentTimeMillis(), 1024, 768, PixelFormat.RGB888, init.encode())));
        seg0.writeBytes(RecordCodec.encode(new Record.Device(5, new byte[] {0, 0, 0, 0})));
        ByteArrayOutputStream seg1 = new ByteArrayOutputStream();
        long t = 10;
        for (char c : typed.toCharArray()) {
            seg1.writeBytes(RecordCodec.encode(new Record.Key(t++, true, c)));
            seg1.writeBytes(RecordCodec.encode(new Record.Key(t++, false, c)));
        }
        seg1.writeBytes(RecordCodec.encode(new Record.Key(t++, true, 0xff0d)));
        seg1.writeBytes(RecordCodec.encode(new Record.End(t, "client_closed")));
        byte[] r0 = seg0.toByteArray();
        byte[] r1 = seg1.toByteArray();
        SegmentCodec.Encoded e0 = SegmentCodec.encode(0, 0, 5, r0, 0, r0.length, SegmentCodec.GENESIS,
                Deflater.BEST_SPEED);
        SegmentCodec.Encoded e1 = SegmentCodec.encode(1, 10, t, r1, 0, r1.length, e0.digest(), Deflater.BEST_SPEED);
        Files.createDirectories(storage());
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.writeBytes(e0.frame());
        file.writeBytes(e1.frame());
        Files.write(storage().resolve(sessionId + ".camrec"), file.toByteArray());
        return SegmentCodec.hex(e1.digest());
    }

    static void end(String id, String digest, Instant endedAt) throws Exception {
        Map<String, Object> rec = new HashMap<>();
        rec.put("digest", digest);
        rec.put("bytes", Files.size(storage().resolve(id + ".camrec")));
        rec.put("segments", 2);
        rec.put("durationMillis", 30);
        rec.put("complete", true);
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("brokerId", "rec-broker", "reason", "client_closed", "bytesFromClient", 10,
                        "bytesFromDevice", 20, "endedAt", endedAt.toString(), "recording", rec))
                .post("/api/v1/internal/sessions/" + id + "/end").then().statusCode(204);
    }

    @Test
    void aRecordedSetIsToldToTheUserAndTheBroker() {
        long recorded = recordedTarget(true);
        JsonPath answer = Api.admin().body(Map.of("targetId", recorded, "mode", "control"))
                .post("/api/v1/sessions").then().statusCode(201).extract().jsonPath();
        assertThat(answer.getBoolean("recorded")).isTrue();
        JsonPath c = claim(answer.getString("sessionId")).then().statusCode(200).extract().jsonPath();
        assertThat(c.getString("sessionId")).isEqualTo(answer.getString("sessionId"));
        assertThat(c.getString("device.host")).isNotNull();
        assertThat(c.getBoolean("recording.enabled")).isTrue();
        assertThat(c.getBoolean("recording.failClosed")).isTrue();

        // A set the configuration records (cam.management.recording.always-sets): its stored NEVER is not what
        // happens, and the policy says so.
        long configuredTarget = Api.createTarget(Api.unique("configured-target"));
        long configuredSet = Api.createSet("configured-recorded", configuredTarget);
        Api.admin().get("/api/v1/target-sets/" + configuredSet + "/recording").then().statusCode(200)
                .body("recording", equalTo("NEVER")).body("effective", equalTo("ALWAYS"))
                .body("effectiveFailClosed", equalTo(false))
                .body("enforcedBy", containsString("cam.management.recording.always-sets"));
        assertThat(Api.admin().body(Map.of("targetId", configuredTarget, "mode", "view")).post("/api/v1/sessions")
                .then().statusCode(201).extract().jsonPath().getBoolean("recorded")).isTrue();

        // Default in code: never.
        long plain = Api.createTarget(Api.unique("plain-target"));
        JsonPath notRecorded = Api.admin().body(Map.of("targetId", plain, "mode", "control"))
                .post("/api/v1/sessions").then().statusCode(201).extract().jsonPath();
        assertThat(notRecorded.getBoolean("recorded")).isFalse();
        JsonPath c2 = claim(notRecorded.getString("sessionId")).then().statusCode(200).extract().jsonPath();
        assertThat(c2.getMap("$")).containsEntry("recording", null);
    }

    @Test
    void theDigestIsAuditedTheTextIsFoundAndAnAlteredFileFailsVerification() throws Exception {
        long t = recordedTarget(false);
        String id = open(t);
        claim(id).then().statusCode(200);
        String word = "zebra" + System.nanoTime();
        String digest = writeRecording(id, "grep " + word);
        end(id, digest, Instant.now());

        assertThat(Api.admin().queryParam("objectId", id).queryParam("action", "SESSION_END")
                .get("/api/v1/audit-events").then().statusCode(200).extract().jsonPath().getString("items[0].details"))
                .contains("recording=sha256:" + digest);
        JsonPath m = Api.admin().get("/api/v1/sessions/" + id + "/recording").then().statusCode(200).extract()
                .jsonPath();
        assertThat(m.getBoolean("verified")).isTrue();
        assertThat(m.getString("digest")).isEqualTo(digest);
        assertThat(m.getString("keyText")).isEqualTo("grep " + word + "<Enter>\n");
        assertThat(m.getLong("durationMillis")).isEqualTo(30);

        List<String> found = Api.admin().queryParam("q", word).get("/api/v1/recordings").then().statusCode(200)
                .extract().jsonPath().getList("items.sessionId");
        assertThat(found).containsExactly(id);
        assertThat(Api.admin().queryParam("q", word + "-never-typed").get("/api/v1/recordings").then()
                .statusCode(200).extract().jsonPath().getList("items")).isEmpty();
        assertThat(Api.admin().queryParam("targetId", t).get("/api/v1/recordings").then().statusCode(200)
                .extract().jsonPath().getList("items.sessionId")).containsExactly(id);
        // Listed with the target's name, and found by part of it in any case.
        String name = Api.admin().get("/api/v1/targets/" + t).then().statusCode(200).extract().path("name");
        JsonPath byName = Api.admin().queryParam("target", name.toUpperCase(Locale.ROOT))
                .get("/api/v1/recordings").then().statusCode(200).extract().jsonPath();
        assertThat(byName.getList("items.sessionId")).containsExactly(id);
        assertThat(byName.getString("items[0].targetName")).isEqualTo(name);
        assertThat(Api.admin().queryParam("target", name + "-x").get("/api/v1/recordings").then().statusCode(200)
                .extract().jsonPath().getList("items")).isEmpty();
        Api.admin().queryParam("from", "yesterday").get("/api/v1/recordings").then().statusCode(400)
                .body("field", equalTo("from"));

        byte[] file = Files.readAllBytes(storage().resolve(id + ".camrec"));
        byte[] head = Api.admin().header("Range", "bytes=0-24").get("/api/v1/sessions/" + id + "/recording/data")
                .then().statusCode(206).header("Content-Range", "bytes 0-24/" + file.length).extract().asByteArray();
        assertThat(head).isEqualTo(java.util.Arrays.copyOf(file, 25));
        byte[] tail = Api.admin().header("Range", "bytes=-10").get("/api/v1/sessions/" + id + "/recording/data")
                .then().statusCode(206).extract().asByteArray();
        assertThat(tail).isEqualTo(java.util.Arrays.copyOfRange(file, file.length - 10, file.length));
        assertThat(Api.admin().get("/api/v1/sessions/" + id + "/recording/data").then().statusCode(200)
                .header("Accept-Ranges", "bytes").extract().asByteArray()).isEqualTo(file);
        Api.admin().header("Range", "bytes=" + file.length + "-").get("/api/v1/sessions/" + id + "/recording/data")
                .then().statusCode(416);
        Api.admin().header("Range", "lines=1-2").get("/api/v1/sessions/" + id + "/recording/data")
                .then().statusCode(400).body("field", equalTo("Range"));

        file[file.length - 40] ^= 0x01;
        Files.write(storage().resolve(id + ".camrec"), file);
        JsonPath altered = Api.admin().get("/api/v1/sessions/" + id + "/recording").then().statusCode(200).extract()
                .jsonPath();
        assertThat(altered.getBoolean("verified")).isFalse();
        assertThat(altered.getString("problem")).contains("segment 1");
    }

    @Test
    void anAuditorWatchesButChangesNothing() throws Exception {
        long t = recordedTarget(false);
        String id = open(t);
        claim(id).then().statusCode(200);
        end(id, writeRecording(id, "ls"), Instant.now());
        String auditor = Api.unique("auditor");
        Api.createUser(auditor, "auditor-pass-1", "auditor");
        var as = (java.util.function.Supplier<io.restassured.specification.RequestSpecification>)
                () -> Api.as(auditor, "auditor-pass-1");

        as.get().get("/api/v1/recordings").then().statusCode(200);
        as.get().get("/api/v1/sessions/" + id + "/recording").then().statusCode(200).body("verified", equalTo(true));
        as.get().get("/api/v1/sessions/" + id + "/recording/data").then().statusCode(200);
        as.get().get("/api/v1/sessions/" + id).then().statusCode(200).body("user", equalTo("admin"));
        as.get().queryParam("targetId", t).get("/api/v1/sessions").then().statusCode(200)
                .body("total", equalTo(1));
        as.get().queryParam("objectId", id).get("/api/v1/audit-events").then().statusCode(200);

        as.get().body(Map.of("targetId", t, "mode", "view")).post("/api/v1/sessions").then().statusCode(403);
        as.get().body(Map.of("recording", "NEVER")).put("/api/v1/target-sets/1/recording").then().statusCode(403);
        as.get().delete("/api/v1/sessions/" + id).then().statusCode(403);
        as.get().body(Map.of("name", "x", "host", "127.0.0.1", "port", 5900)).post("/api/v1/targets").then()
                .statusCode(403);
        as.get().body(Map.of("username", "y", "password", "yyyyyyyy1", "roles", List.of("admin")))
                .post("/api/v1/users").then().statusCode(403);

        // Neither an operator nor a plain user reads recordings.
        String operator = Api.unique("op");
        Api.createUser(operator, "operator-pass-1", "operator");
        Api.as(operator, "operator-pass-1").get("/api/v1/recordings").then().statusCode(403);
        Api.as(operator, "operator-pass-1").get("/api/v1/sessions/" + id + "/recording/data").then()
                .statusCode(403);
    }

    @Test
    void retentionRemovesOldRecordingsAndAuditsIt() throws Exception {
        long t = recordedTarget(false);
        String old = open(t);
        claim(old).then().statusCode(200);
        end(old, writeRecording(old, "old"), Instant.now().minus(Duration.ofDays(100)));
        String recent = open(t);
        claim(recent).then().statusCode(200);
        end(recent, writeRecording(recent, "new"), Instant.now());

        assertThat(retention.purge(Instant.now().minus(Duration.ofDays(90)), "retention-test"))
                .isGreaterThanOrEqualTo(1);
        assertThat(Files.exists(storage().resolve(old + ".camrec"))).isFalse();
        assertThat(Files.exists(storage().resolve(recent + ".camrec"))).isTrue();
        Api.admin().get("/api/v1/sessions/" + old + "/recording").then().statusCode(404);
        Api.admin().get("/api/v1/sessions/" + recent + "/recording").then().statusCode(200);
        assertThat(Api.admin().queryParam("objectId", old).queryParam("action", "RECORDING_PURGE")
                .get("/api/v1/audit-events").then().statusCode(200).extract().jsonPath().getString("items[0].actor"))
                .isEqualTo("retention-test");
    }
    @Test
    void aRecordingWhoseBrokerWasLostIsListedUnterminatedAndVerifiedUpToItsLastWholeSegment() throws Exception {
        long t = recordedTarget(false);
        String id = open(t);
        String broker = Api.unique("lost-broker");
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("brokerId", broker, "clientAddress", "198.51.100.7"))
                .post("/api/v1/internal/sessions/" + id + "/claim").then().statusCode(200);
        // What a broker killed with SIGKILL leaves: two whole segments (no End record), then half of the third.
        ServerInit init = new ServerInit(1024, 768, PixelFormat.RGB888, "rec");
        byte[] r0 = RecordCodec.encode(new Record.Header(0, RecordCodec.VERSION, id, "1", "admin", "CONTROL",
                System.currentTimeMillis(), 1024, 768, PixelFormat.RGB888, init.encode()));
        ByteArrayOutputStream keys = new ByteArrayOutputStream();
        String word = "lost" + System.nanoTime();
        long time = 10;
        for (char c : word.toCharArray()) {
            keys.writeBytes(RecordCodec.encode(new Record.Key(time++, true, c)));
            keys.writeBytes(RecordCodec.encode(new Record.Key(time++, false, c)));
        }
        byte[] r1 = keys.toByteArray();
        SegmentCodec.Encoded e0 = SegmentCodec.encode(0, 0, 0, r0, 0, r0.length, SegmentCodec.GENESIS, 1);
        SegmentCodec.Encoded e1 = SegmentCodec.encode(1, 10, time - 1, r1, 0, r1.length, e0.digest(), 1);
        SegmentCodec.Encoded e2 = SegmentCodec.encode(2, time, time + 5, r1, 0, r1.length, e1.digest(), 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(e0.frame());
        out.writeBytes(e1.frame());
        out.write(e2.frame(), 0, e2.length() / 2);
        Files.createDirectories(storage());
        Path file = storage().resolve(id + ".camrec");
        Files.write(file, out.toByteArray());

        // The broker goes silent about it (its claim long enough ago): broker_lost, and no end report ever comes.
        QuarkusTransaction.requiringNew().run(() -> {
            KvmSession s = KvmSession.findById(id);
            s.claimedAt = Instant.now().minusSeconds(120);
        });
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("activeSessionIds", List.of(), "draining", false))
                .post("/api/v1/internal/brokers/" + broker + "/heartbeat").then().statusCode(200);
        Api.admin().get("/api/v1/sessions/" + id).then().statusCode(200).body("endReason", equalTo("broker_lost"));

        JsonPath list = Api.admin().queryParam("targetId", t).get("/api/v1/recordings").then().statusCode(200)
                .extract().jsonPath();
        assertThat(list.getList("items.sessionId")).containsExactly(id);
        assertThat(list.getBoolean("items[0].complete")).isFalse();
        assertThat(list.getString("items[0].digest")).isEqualTo(SegmentCodec.hex(e1.digest()));
        assertThat(list.getLong("items[0].bytes")).isEqualTo(e0.length() + e1.length());
        // ... found by what was typed before the crash
        assertThat(Api.admin().queryParam("q", word).get("/api/v1/recordings").then().statusCode(200).extract()
                .jsonPath().getList("items.sessionId")).containsExactly(id);

        JsonPath m = Api.admin().get("/api/v1/sessions/" + id + "/recording").then().statusCode(200).extract()
                .jsonPath();
        assertThat(m.getBoolean("complete")).isFalse();
        assertThat(m.getString("failure")).startsWith("unterminated: the session ended broker_lost");
        assertThat(m.getBoolean("verified")).isTrue();
        assertThat(m.getLong("segments")).isEqualTo(2);
        assertThat(m.getString("problem")).contains("verified up to segment 1 (" + (e0.length() + e1.length())
                + " bytes)").contains("cut by the crash");
        byte[] data = Api.admin().get("/api/v1/sessions/" + id + "/recording/data").then().statusCode(200)
                .extract().asByteArray();
        assertThat(data).isEqualTo(out.toByteArray());

        // A byte of a whole segment altered on disk: no longer verified.
        byte[] altered = out.toByteArray();
        altered[e0.length() + SegmentCodec.HEADER_LENGTH + 2] ^= 0x40;
        Files.write(file, altered);
        JsonPath bad = Api.admin().get("/api/v1/sessions/" + id + "/recording").then().statusCode(200).extract()
                .jsonPath();
        assertThat(bad.getBoolean("verified")).isFalse();
        assertThat(bad.getString("problem")).isEqualTo("segment 1: digest does not match");
    }
}
