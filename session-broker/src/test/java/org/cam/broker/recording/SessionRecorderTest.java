package org.cam.broker.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.cam.broker.management.EndReport;
import org.cam.protocol.recording.Record;
import org.cam.protocol.recording.RecordCodec;
import org.cam.protocol.recording.RecordingScan;
import org.cam.protocol.recording.SegmentCodec;
import org.cam.protocol.rfb.PixelFormat;
import org.cam.protocol.rfb.ServerInit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A recorder of each codec writing a real file through {@link RecordingStore}: records that span chunks and
 * segments (device data bigger than a chunk, pixels that compress and noise that does not, keys between them) come
 * back whole and in order from a file whose chain verifies against the outcome's digest.
 */
class SessionRecorderTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(SegmentCodec.Codec.class)
    void recordsSpanningChunksAndSegmentsComeBackInOrderAndTheFileVerifies(SegmentCodec.Codec codec)
            throws Exception {
        // Segments of 256 KiB: the 3 MiB below make a dozen, each of several 64 KiB chunks.
        RecordingStore store = new RecordingStore(RecordingConfigs.of(dir.resolve("storage").toString(),
                dir.resolve("spool").toString(), codec, 256 * 1024, 2));
        store.onStart(null);
        String id = "rec-" + codec.name().toLowerCase();
        ServerInit init = new ServerInit(1024, 768, PixelFormat.RGB888, "recorder");
        SessionRecorder r = store.open(new Record.Header(0, RecordCodec.VERSION, id, "t-1", "uma", "CONTROL",
                System.currentTimeMillis(), 1024, 768, PixelFormat.RGB888, init.encode()), System.nanoTime());
        Random rnd = new Random(7);
        List<byte[]> device = new ArrayList<>();
        List<Integer> keys = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            // 40 to 110 KiB (1 to 5 KiB every fifth round): pixels that repeat in even rounds, noise (stored LZ4
            // blocks) in odd ones.
            byte[] data = new byte[i % 5 == 4 ? 1024 + rnd.nextInt(4096) : 40 * 1024 + rnd.nextInt(70 * 1024)];
            if (i % 2 == 0) {
                for (int j = 0; j < data.length; j++) {
                    data[j] = (byte) (i + j / 64);
                }
            } else {
                rnd.nextBytes(data);
            }
            // A slice of a bigger buffer, as the relay passes a pooled read: direct memory (LZ4 compresses big ones
            // in place) in two rounds of three, a heap array (copied) in the third.
            ByteBuf framed = i % 3 == 2 ? Unpooled.buffer(data.length + 10) : Unpooled.directBuffer(data.length + 10);
            framed.writeZero(5).writeBytes(data).writeZero(5);
            r.device(framed, 5, data.length);
            framed.release();
            device.add(data);
            int keysym = 'a' + i % 26;
            r.key(true, keysym);
            keys.add(keysym);
            if (i % 7 == 0) {
                r.flush();
            }
        }
        EndReport.RecordingOutcome outcome = r.close("client_closed").get(30, TimeUnit.SECONDS);
        store.onStop(null);

        assertThat(outcome.complete()).as(outcome.failure()).isTrue();
        byte[] all = Files.readAllBytes(store.storageFile(id));
        assertThat((long) all.length).isEqualTo(outcome.bytes());
        RecordingScan scan = RecordingScan.of(all, 0, all.length);
        assertThat(scan.verifiesAgainst(outcome.digest())).as(scan.problem()).isTrue();
        assertThat(scan.segments()).hasSize((int) outcome.segments()).hasSizeGreaterThan(10)
                .allSatisfy(s -> assertThat(s.header().codec()).isEqualTo(codec));
        List<Record> records = new ArrayList<>();
        for (RecordingScan.Segment s : scan.segments()) {
            byte[] raw = SegmentCodec.decompress(s.header(), all, (int) s.offset());
            records.addAll(RecordCodec.decodeAll(raw, 0, raw.length));
        }
        assertThat(records.get(0)).isInstanceOf(Record.Header.class);
        assertThat(((Record.Header) records.get(0)).sessionId()).isEqualTo(id);
        assertThat(records.get(records.size() - 1)).isInstanceOf(Record.End.class);
        assertThat(records.stream().filter(x -> x instanceof Record.Device).map(x -> ((Record.Device) x).data()))
                .containsExactlyElementsOf(device);
        assertThat(records.stream().filter(x -> x instanceof Record.Key).map(x -> ((Record.Key) x).keysym()))
                .containsExactlyElementsOf(keys);
        long t = 0;
        for (Record x : records) {
            assertThat(x.timeMillis()).isGreaterThanOrEqualTo(t);
            t = x.timeMillis();
        }
    }
}
