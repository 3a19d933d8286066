package org.cam.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cam.broker.listener.Listeners;
import org.cam.broker.support.BrokerTestResource;
import org.cam.broker.support.Devices;
import org.cam.broker.support.ManagementDouble;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.recording.KeyText;
import org.cam.protocol.recording.Record;
import org.cam.protocol.recording.RecordCodec;
import org.cam.protocol.recording.RecordingScan;
import org.cam.protocol.recording.SegmentCodec;
import org.cam.protocol.rfb.PixelFormat;
import org.cam.protocol.rfb.ServerInit;
import org.cam.protocol.rfb.ServerMessageFramer;
import org.cam.simulator.rfb.RfbChannelServer;
import org.cam.testsupport.fs.ReadOnlyMount;
import org.cam.testsupport.rfb.RfbTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Session recording through the real broker: a simulated device, the management-api double asking for a recording in
 * its claim, a Java RFB client typing; the recording file is read back with protocol's codecs.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestResource.class)
class RecordingTest {

    private static final AtomicInteger IDS = new AtomicInteger();

    @Inject
    Listeners listeners;

    private final List<RfbChannelServer> devices = new ArrayList<>();

    @AfterEach
    void stopDevices() throws Exception {
        for (RfbChannelServer d : devices) {
            d.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private ManagementDouble.Session pending(String otp, Boolean record, boolean failClosed) throws Exception {
        RfbChannelServer device = Devices.start(BrokerTestResource.vertx, null, "recorded-console");
        devices.add(device);
        ManagementDouble.Session s = BrokerTestResource.management.add("rec" + IDS.incrementAndGet() + "-"
                + System.nanoTime(), otp, "CONTROL", Devices.HOST, device.port(), null, 0);
        s.record = record;
        s.recordFailClosed = failClosed;
        return s;
    }

    private RfbTestClient client() throws Exception {
        return RfbTestClient.tcp("127.0.0.1", listeners.plainPort());
    }

    private static Path file(String sessionId) {
        return BrokerTestResource.recordings.resolve(sessionId + ".camrec");
    }

    /** Every record of the complete segments of a recording file as it is now (it may be growing). */
    static List<Record> records(Path file) throws Exception {
        byte[] all = Files.exists(file) ? Files.readAllBytes(file) : new byte[0];
        RecordingScan scan = RecordingScan.of(all, 0, all.length);
        assertThat(scan.chainIntact()).as(scan.problem()).isTrue();
        List<Record> out = new ArrayList<>();
        for (RecordingScan.Segment s : scan.segments()) {
            // The broker's default codec; SegmentEncoder's native LZ4 frames read back with protocol's Java decoder.
            assertThat(s.header().codec()).isEqualTo(SegmentCodec.Codec.LZ4);
            byte[] raw = SegmentCodec.decompress(s.header(), all, (int) s.offset());
            out.addAll(RecordCodec.decodeAll(raw, 0, raw.length));
        }
        return out;
    }

    private static final int ENTER = 0xff0d;

    @Test
    void aControlSessionIsRecordedVerifiedAndReplayable() throws Exception {
        ManagementDouble.Session s = pending("rec00001", true, false);
        ServerInit init;
        try (RfbTestClient c = client()) {
            assertThat(c.handshake("rec00001")).isTrue();
            init = c.serverInit();
            for (char ch : "ls -l".toCharArray()) {
                c.typeKey(ch);
            }
            c.typeKey(ENTER);
            assertThat(c.requestAndAwaitUpdate(1024, 768)).isEqualTo(1024 * 768);
            // Segments reach storage while the session runs, and the broker asks the device for full frames.
            await().atMost(Duration.ofSeconds(10)).until(() -> records(file(s.id)).stream()
                    .anyMatch(r -> r instanceof Record.Keyframe));
            await().atMost(Duration.ofSeconds(10)).until(() -> KeyText.of(records(file(s.id)))
                    .contains("ls -l<Enter>"));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
        JsonObject outcome = s.endReport.getJsonObject("recording");
        assertThat(outcome).isNotNull();
        assertThat(outcome.getBoolean("complete")).isTrue();
        String digest = outcome.getString("digest");

        byte[] all = Files.readAllBytes(file(s.id));
        assertThat((long) all.length).isEqualTo(outcome.getLong("bytes"));
        RecordingScan scan = RecordingScan.of(all, 0, all.length);
        assertThat(scan.verifiesAgainst(digest)).isTrue();
        assertThat(scan.segments().size()).isEqualTo(outcome.getLong("segments").intValue()).isGreaterThan(1);

        List<Record> records = records(file(s.id));
        Record.Header h = (Record.Header) records.get(0);
        assertThat(h.sessionId()).isEqualTo(s.id);
        assertThat(h.user()).isEqualTo("ada");
        assertThat(h.mode()).isEqualTo("CONTROL");
        assertThat(h.width()).isEqualTo(1024);
        assertThat(h.height()).isEqualTo(768);
        assertThat(ServerInit.decode(h.serverInit(), 0, h.serverInit().length)).isEqualTo(init);
        assertThat(records.get(records.size() - 1)).isInstanceOf(Record.End.class);
        assertThat(((Record.End) records.get(records.size() - 1)).reason()).isEqualTo("client_closed");
        long t = -1;
        for (Record r : records) {
            assertThat(r.timeMillis()).isGreaterThanOrEqualTo(t);
            t = r.timeMillis();
        }
        assertThat(KeyText.of(records)).isEqualTo("ls -l<Enter>\n");

        // Playable: the recorded device stream is whole RFB messages from the first byte to the last, with the full
        // screen the client asked for among them.
        assertThat(frameUpdates(records, h.pixelFormat())).isGreaterThanOrEqualTo(1);
    }

    /** Frames the device stream of a recording as a client would; returns the FramebufferUpdates in it. */
    static int frameUpdates(List<Record> records, PixelFormat initial) throws ProtocolException {
        ServerMessageFramer framer = new ServerMessageFramer(initial);
        int updates = 0;
        for (Record r : records) {
            if (r instanceof Record.ClientControl cc && cc.message()[0] == 0) {
                framer.pixelFormat(PixelFormat.decode(cc.message(), 4, PixelFormat.LENGTH));
            } else if (r instanceof Record.Device d) {
                ByteBuffer b = ByteBuffer.wrap(d.data());
                while (b.hasRemaining()) {
                    if (framer.advance(b) && framer.kind() == ServerMessageFramer.Kind.FRAMEBUFFER_UPDATE) {
                        updates++;
                    }
                }
            }
        }
        assertThat(framer.atBoundary()).isTrue();
        return updates;
    }

    @Test
    void aSegmentAlteredOnDiskFailsVerification() throws Exception {
        ManagementDouble.Session s = pending("rec00002", true, false);
        try (RfbTestClient c = client()) {
            assertThat(c.handshake("rec00002")).isTrue();
            c.typeKey('x');
            c.requestAndAwaitUpdate(1024, 768);
            await().atMost(Duration.ofSeconds(10)).until(() -> records(file(s.id)).size() > 3);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
        String digest = s.endReport.getJsonObject("recording").getString("digest");
        Path f = file(s.id);
        byte[] all = Files.readAllBytes(f);
        RecordingScan before = RecordingScan.of(all, 0, all.length);
        assertThat(before.verifiesAgainst(digest)).isTrue();
        RecordingScan.Segment second = before.segments().get(1);
        all[(int) second.offset() + SegmentCodec.HEADER_LENGTH + second.header().compressedLength() / 2] ^= 0x20;
        Files.write(f, all);
        byte[] altered = Files.readAllBytes(f);
        RecordingScan after = RecordingScan.of(altered, 0, altered.length);
        assertThat(after.verifiesAgainst(digest)).isFalse();
        assertThat(after.chainIntact()).isFalse();
        assertThat(after.problem()).contains("segment 1");
    }

    @Test
    void failClosedRefusesTheSessionWhenStorageIsReadOnly() throws Exception {
        try (ReadOnlyMount ro = ReadOnlyMount.over(BrokerTestResource.recordings)) {
            ManagementDouble.Session closed = pending("rec00003", true, true);
            try (RfbTestClient c = client()) {
                assertThat(c.handshake("rec00003")).isFalse();
                assertThat(c.failureReason).contains("recording unavailable");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> closed.endReport != null);
            assertThat(closed.endReport.getString("reason")).isEqualTo("recording_failed");
            assertThat(Files.exists(file(closed.id))).isFalse();

            // The same storage without fail-closed: the session goes on, unrecorded.
            ManagementDouble.Session open = pending("rec00004", true, false);
            try (RfbTestClient c = client()) {
                assertThat(c.handshake("rec00004")).isTrue();
                c.typeKey('o');
                assertThat(c.requestAndAwaitUpdate(64, 64)).isEqualTo(64 * 64);
                assertThat(devices.get(1).screen().typedKeys()).contains("o");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> open.endReport != null);
            assertThat(open.endReport.getString("reason")).isEqualTo("client_closed");
            assertThat(open.endReport.getValue("recording")).isNull();
        }
    }

    @Test
    void aSessionWithoutRecordingPolicyLeavesNoFile() throws Exception {
        ManagementDouble.Session s = pending("rec00005", null, false);
        try (RfbTestClient c = client()) {
            assertThat(c.handshake("rec00005")).isTrue();
            c.typeKey('n');
            c.requestAndAwaitUpdate(64, 64);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
        assertThat(Files.exists(file(s.id))).isFalse();
        assertThat(s.endReport.getValue("recording")).isNull();
    }
}
