package org.cam.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.cam.systemtests.SuiteStack.DEMO_PASSWORD;
import static org.cam.systemtests.SuiteStack.body;
import static org.cam.systemtests.SuiteStack.items;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cam.protocol.recording.KeyText;
import org.cam.protocol.recording.Record;
import org.cam.protocol.recording.RecordCodec;
import org.cam.protocol.recording.RecordingScan;
import org.cam.protocol.recording.SegmentCodec;
import org.cam.protocol.rfb.ServerMessageFramer;
import org.cam.testsupport.rfb.RfbTestClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The packaged broker records a session and is killed with SIGKILL in the middle of it (no shutdown hook, no flush,
 * no end report). management-api ends the session broker_lost; the recording is still listed (not complete,
 * "unterminated"), its metadata verifies up to its last whole segment, and its data, read back through the API,
 * chains, inflates and replays as whole RFB messages up to that segment.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class RecordingCrashIT {

    private static final String USER = "uma";

    // Its own device address, ports, database and seed: it may run in one build with the other system tests.
    @RegisterExtension
    static final SuiteStack STACK = new SuiteStack(new SuiteStack.Spec("crash", "127.0.98.1", 29443, 29900, 1,
            "cam_e2e_crash", List.of("--seed", "98")))
            // A segment every second, so a few seconds of session leave several; a broker silent for 5 s is lost
            // (it reports every second while it lives).
            .brokerEnv(Map.of("CAM_BROKER_RECORDING_SEGMENT_INTERVAL", "1s",
                    "CAM_BROKER_MANAGEMENT_HEARTBEAT_INTERVAL", "1s"))
            .managementEnv(Map.of("CAM_MANAGEMENT_SESSIONS_BROKER_LOST_AFTER", "PT5S"));

    @BeforeAll
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    static void startServices() throws Exception {
        STACK.start();
    }

    @Test
    void aBrokerKilledMidSessionLeavesAListedRecordingThatVerifiesUpToItsLastSegment() throws Exception {
        List<Long> targets = STACK.enrolDeviceAndGrantCamUsers();
        long target = targets.get(0);
        // The set the grant made holds the target: it records every session on it.
        long setId = -1;
        for (JsonNode s : items(STACK.json(STACK.admin("/api/v1/target-sets?q=crash-lab").GET(), 200))) {
            if (s.path("name").asText().equals("crash-lab")) {
                setId = s.path("id").asLong();
            }
        }
        assertThat(setId).as("target set made by the grant").isPositive();
        STACK.send(STACK.admin("/api/v1/target-sets/" + setId + "/recording")
                .PUT(body(Map.of("recording", "ALWAYS", "failClosed", true))), 200);

        JsonNode opened = STACK.json(STACK.as(USER, DEMO_PASSWORD, "/api/v1/sessions")
                .POST(body(Map.of("targetId", target, "mode", "control"))), 201);
        String id = opened.path("sessionId").asText();
        assertThat(opened.path("recorded").asBoolean()).isTrue();
        Path file = STACK.work().resolve(".cam/recordings").resolve(id + ".camrec");

        RfbTestClient client = RfbTestClient.tcp("127.0.0.1", STACK.brokerPlainPort())
                .open(opened.path("vncPassword").asText(), true);
        try {
            String typed = "crash";
            for (char c : typed.toCharArray()) {
                client.typeKey(c);
            }
            // Screens keep coming (the simulator's clock moves) while the broker writes a segment a second.
            await("recorded segments").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        client.requestAndAwaitUpdate(client.width(), client.height());
                        return wholeSegments(file) >= 4;
                    });
            assertThat(STACK.broker().kill()).as("SIGKILL exit status").isEqualTo(137);
        } finally {
            client.close();
        }
        byte[] onDisk = Files.readAllBytes(file);

        // No end report comes: management-api notices the silent broker and ends the session broker_lost.
        await("session ended broker_lost").atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(1))
                .until(() -> STACK.json(STACK.admin("/api/v1/sessions/" + id).GET(), 200).path("endReason").asText(),
                        "broker_lost"::equals);

        JsonNode listed = items(STACK.json(STACK.admin("/api/v1/recordings?targetId=" + target).GET(), 200));
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("sessionId").asText()).isEqualTo(id);
        assertThat(listed.get(0).path("complete").asBoolean()).isFalse();

        RecordingScan scan = RecordingScan.of(onDisk, 0, onDisk.length);
        assertThat(scan.chainIntact()).as(scan.problem()).isTrue();
        assertThat(scan.segments().size()).isGreaterThanOrEqualTo(4);
        RecordingScan.Segment last = scan.segments().get(scan.segments().size() - 1);
        long whole = last.offset() + last.header().frameLength();
        assertThat(listed.get(0).path("digest").asText()).isEqualTo(scan.digest());
        assertThat(listed.get(0).path("bytes").asLong()).isEqualTo(whole);

        JsonNode meta = STACK.json(STACK.admin("/api/v1/sessions/" + id + "/recording").GET(), 200);
        assertThat(meta.path("complete").asBoolean()).isFalse();
        assertThat(meta.path("failure").asText()).startsWith("unterminated: the session ended broker_lost");
        assertThat(meta.path("verified").asBoolean()).as(meta.path("problem").asText()).isTrue();
        assertThat(meta.path("segments").asLong()).isEqualTo(scan.segments().size());
        assertThat(meta.path("problem").asText())
                .startsWith("unterminated: verified up to segment " + (scan.segments().size() - 1) + " (" + whole);

        // The data as the player gets it: the file, which replays up to its last whole segment.
        HttpResponse<byte[]> data = STACK.http().send(STACK.admin("/api/v1/sessions/" + id + "/recording/data")
                .header("Accept", "application/octet-stream").GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(data.statusCode()).isEqualTo(200);
        assertThat(data.body()).isEqualTo(onDisk);
        List<Record> records = new ArrayList<>();
        for (RecordingScan.Segment s : scan.segments()) {
            byte[] raw = SegmentCodec.decompress(s.header(), data.body(), (int) s.offset());
            records.addAll(RecordCodec.decodeAll(raw, 0, raw.length));
        }
        Record.Header header = (Record.Header) records.get(0);
        assertThat(header.sessionId()).isEqualTo(id);
        assertThat(records).noneMatch(r -> r instanceof Record.End);
        assertThat(KeyText.of(records)).isEqualTo("crash");
        ServerMessageFramer framer = new ServerMessageFramer(header.pixelFormat());
        int messages = 0;
        for (Record r : records) {
            if (r instanceof Record.Device d) {
                ByteBuffer b = ByteBuffer.wrap(d.data());
                while (b.hasRemaining()) {
                    if (framer.advance(b)) {
                        messages++;
                    }
                }
            }
        }
        assertThat(messages).as("whole server messages replayed").isGreaterThanOrEqualTo(2);
    }

    /** Whole segments in the file so far (0 before it exists). */
    private static int wholeSegments(Path file) throws Exception {
        if (!Files.exists(file)) {
            return 0;
        }
        byte[] b = Files.readAllBytes(file);
        return RecordingScan.of(b, 0, b.length).segments().size();
    }
}
