package org.cam.broker.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cam.protocol.recording.KeyText;
import org.cam.protocol.recording.Record;
import org.cam.protocol.recording.RecordCodec;
import org.cam.protocol.recording.RecordingScan;
import org.cam.protocol.recording.SegmentCodec;
import org.cam.protocol.rfb.ServerMessageFramer;
import org.junit.jupiter.api.Test;

/**
 * A process writing a recording is killed with SIGKILL mid-session (no shutdown hook, no flush, no close): what it
 * wrote up to its last segment is a whole, chained, playable recording.
 */
class RecordingCrashTest {

    @Test
    void aRecorderKilledWithSigkillLeavesAPlayableRecording() throws Exception {
        Path storage = Files.createTempDirectory("cam-crash-storage");
        Path spool = Files.createTempDirectory("cam-crash-spool");
        // base64url, as management-api makes them: an id may begin with - or _ and must still be recorded
        String id = "-crash_" + System.nanoTime();
        Path file = storage.resolve(id + RecordingStore.SUFFIX);
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), CrashWriter.class.getName(), storage.toString(),
                spool.toString(), id).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> segments(file) >= 8);
        } finally {
            // destroyForcibly is SIGKILL on Linux: the JVM gets no chance to flush or close anything.
            p.destroyForcibly();
            p.waitFor();
        }
        assertThat(p.exitValue()).isEqualTo(137);

        byte[] all = Files.readAllBytes(file);
        RecordingScan scan = RecordingScan.of(all, 0, all.length);
        assertThat(scan.chainIntact()).as(scan.problem()).isTrue();
        assertThat(scan.segments().size()).isGreaterThanOrEqualTo(8);
        List<Record> records = new ArrayList<>();
        for (RecordingScan.Segment s : scan.segments()) {
            assertThat(s.header().codec()).isEqualTo(SegmentCodec.Codec.LZ4);
            byte[] raw = SegmentCodec.decompress(s.header(), all, (int) s.offset());
            records.addAll(RecordCodec.decodeAll(raw, 0, raw.length));
        }
        Record.Header h = (Record.Header) records.get(0);
        assertThat(h.sessionId()).isEqualTo(id);
        assertThat(records).noneMatch(r -> r instanceof Record.End);
        // The recording up to the kill can be verified against its own last digest, and replays as whole messages.
        assertThat(scan.verifiesAgainst(scan.digest())).isEqualTo(!scan.truncatedTail());
        ServerMessageFramer framer = new ServerMessageFramer(h.pixelFormat());
        int updates = 0;
        for (Record r : records) {
            if (r instanceof Record.Device d) {
                ByteBuffer b = ByteBuffer.wrap(d.data());
                while (b.hasRemaining()) {
                    if (framer.advance(b)) {
                        updates++;
                    }
                }
            }
        }
        assertThat(framer.atBoundary()).isTrue();
        assertThat(updates).isGreaterThanOrEqualTo(7);
        assertThat(KeyText.of(records)).startsWith("abcdefg");
    }

    private static int segments(Path file) throws Exception {
        if (!Files.exists(file)) {
            return 0;
        }
        byte[] all = Files.readAllBytes(file);
        return RecordingScan.of(all, 0, all.length).segments().size();
    }
}
