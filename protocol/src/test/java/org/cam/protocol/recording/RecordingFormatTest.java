package org.cam.protocol.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.rfb.PixelFormat;
import org.cam.protocol.rfb.ServerInit;
import org.junit.jupiter.api.Test;

class RecordingFormatTest {

    static final ServerInit INIT = new ServerInit(1024, 768, PixelFormat.RGB888, "lab-1");

    static List<Record> sample() {
        return List.of(
                new Record.Header(0, RecordCodec.VERSION, "s-1", "t-1", "uma", "CONTROL", 1_700_000_000_000L, 1024, 768,
                        PixelFormat.RGB888, INIT.encode()),
                new Record.ClientControl(1, new byte[] {2, 0, 0, 1, 0, 0, 0, 0}),
                new Record.Device(2, new byte[] {0, 0, 0, 0}),
                new Record.Key(3, true, 'a'),
                new Record.Key(4, false, 'a'),
                new Record.Pointer(5, 1, 1023, 767),
                new Record.Clipboard(6, "grüße"),
                new Record.Keyframe(7, 4),
                new Record.End(8, "client_closed"));
    }

    static byte[] records(List<Record> rs) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        rs.forEach(r -> o.writeBytes(RecordCodec.encode(r)));
        return o.toByteArray();
    }

    /** A file of {@code n} segments, each holding the sample records. */
    static byte[] file(int n, List<String> digests) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] prev = SegmentCodec.GENESIS;
        for (int i = 0; i < n; i++) {
            byte[] raw = records(sample());
            SegmentCodec.Encoded e = SegmentCodec.encode(i, i * 10L, i * 10L + 8, raw, 0, raw.length, prev,
                    Deflater.BEST_SPEED);
            o.writeBytes(e.frame());
            prev = e.digest();
            digests.add(SegmentCodec.hex(e.digest()));
        }
        return o.toByteArray();
    }

    @Test
    void recordsRoundTrip() throws ProtocolException {
        byte[] raw = records(sample());
        assertThat(RecordCodec.decodeAll(raw, 0, raw.length)).containsExactlyElementsOf(sample());
    }

    @Test
    void segmentsChainAndInflate() throws ProtocolException {
        List<String> digests = new ArrayList<>();
        byte[] f = file(3, digests);
        RecordingScan scan = RecordingScan.of(f, 0, f.length);
        assertThat(scan.chainIntact()).isTrue();
        assertThat(scan.truncatedTail()).isFalse();
        assertThat(scan.segments()).hasSize(3);
        assertThat(scan.digest()).isEqualTo(digests.get(2));
        assertThat(scan.verifiesAgainst(digests.get(2))).isTrue();
        assertThat(scan.verifiesAgainst(digests.get(1))).isFalse();
        assertThat(scan.durationMillis()).isEqualTo(28);
        RecordingScan.Segment s = scan.segments().get(1);
        byte[] raw = SegmentCodec.inflate(s.header(), f, (int) s.offset());
        assertThat(RecordCodec.decodeAll(raw, 0, raw.length)).containsExactlyElementsOf(sample());
    }

    @Test
    void anAlteredByteBreaksTheChainAtItsSegment() {
        List<String> digests = new ArrayList<>();
        byte[] f = file(3, digests);
        RecordingScan clean = RecordingScan.of(f, 0, f.length);
        long second = clean.segments().get(1).offset();
        // Every byte of the second segment (header, payload, digest): each change is caught at segment 1.
        for (int i = (int) second; i < clean.segments().get(2).offset(); i++) {
            byte[] g = f.clone();
            g[i] ^= 0x01;
            RecordingScan scan = RecordingScan.of(g, 0, g.length);
            assertThat(scan.verifiesAgainst(digests.get(2))).as("byte %d", i).isFalse();
            assertThat(scan.segments()).as("byte %d", i).hasSizeLessThanOrEqualTo(1);
        }
    }

    @Test
    void aSegmentRewrittenWithAFreshChainFailsOnlyAgainstTheKeptDigest() throws ProtocolException {
        // Whoever rewrites a segment can recompute the chain after it; the digest kept in the audit log catches it.
        List<String> digests = new ArrayList<>();
        byte[] f = file(2, digests);
        List<Record> forged = new ArrayList<>(sample());
        forged.set(3, new Record.Key(3, true, 'b'));
        byte[] raw = records(forged);
        byte[] first = java.util.Arrays.copyOf(f, (int) RecordingScan.of(f, 0, f.length).segments().get(1).offset());
        SegmentCodec.Encoded e0 = SegmentCodec.encode(0, 0, 8, raw, 0, raw.length, SegmentCodec.GENESIS, 1);
        SegmentCodec.Encoded e1 = SegmentCodec.encode(1, 10, 18, records(sample()), 0, records(sample()).length,
                e0.digest(), 1);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(e0.frame());
        o.writeBytes(e1.frame());
        byte[] g = o.toByteArray();
        RecordingScan scan = RecordingScan.of(g, 0, g.length);
        assertThat(scan.chainIntact()).isTrue();
        assertThat(scan.verifiesAgainst(digests.get(1))).isFalse();
        assertThat(first).isNotEqualTo(e0.frame());
    }

    @Test
    void aCutTailKeepsTheCompleteSegments() {
        List<String> digests = new ArrayList<>();
        byte[] f = file(3, digests);
        long third = RecordingScan.of(f, 0, f.length).segments().get(2).offset();
        for (int cut = (int) third + 1; cut < f.length; cut += 7) {
            RecordingScan scan = RecordingScan.of(f, 0, cut);
            assertThat(scan.truncatedTail()).isTrue();
            assertThat(scan.chainIntact()).isTrue();
            assertThat(scan.segments()).hasSize(2);
            assertThat(scan.digest()).isEqualTo(digests.get(1));
            assertThat(scan.verifiesAgainst(digests.get(2))).isFalse();
        }
    }

    @Test
    void removedOrReorderedSegmentsAreCaught() {
        List<String> digests = new ArrayList<>();
        byte[] f = file(3, digests);
        List<RecordingScan.Segment> s = RecordingScan.of(f, 0, f.length).segments();
        int a = (int) s.get(1).offset();
        int b = (int) s.get(2).offset();
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.write(f, 0, a);
        o.write(f, b, f.length - b);
        byte[] removed = o.toByteArray();
        RecordingScan scan = RecordingScan.of(removed, 0, removed.length);
        assertThat(scan.chainIntact()).isFalse();
        assertThat(scan.problem()).contains("numbered 2");
    }

    @Test
    void aSegmentThatInflatesPastItsLengthIsRefused() {
        byte[] raw = new byte[1 << 20];
        SegmentCodec.Encoded e = SegmentCodec.encode(0, 0, 0, raw, 0, raw.length, SegmentCodec.GENESIS, 9);
        byte[] f = e.frame();
        // Claim a smaller raw length: the payload holds more than announced.
        RecordCodec.putU32(f, 17, 1000);
        SegmentCodec.FrameHeader h = headerOf(f);
        assertThatThrownBy(() -> SegmentCodec.inflate(h, f, 0)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("beyond");
        RecordCodec.putU32(f, 17, (1 << 20) + 5);
        SegmentCodec.FrameHeader h2 = headerOf(f);
        assertThatThrownBy(() -> SegmentCodec.inflate(h2, f, 0)).isInstanceOf(ProtocolException.class);
    }

    private static SegmentCodec.FrameHeader headerOf(byte[] f) {
        try {
            return SegmentCodec.readHeader(f, 0, f.length);
        } catch (ProtocolException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void randomAndMutatedInputOnlyEverFailsCleanly() {
        Random rnd = new Random(0x5EC0);
        List<String> digests = new ArrayList<>();
        byte[] good = file(2, digests);
        byte[] goodRecords = records(sample());
        int decoded = 0;
        int rejected = 0;
        for (int iter = 0; iter < 5_000; iter++) {
            byte[] in = (rnd.nextBoolean() ? good : goodRecords).clone();
            if (rnd.nextInt(5) == 0) {
                in = new byte[rnd.nextInt(200)];
                rnd.nextBytes(in);
            }
            for (int k = rnd.nextInt(4); k > 0 && in.length > 0; k--) {
                in[rnd.nextInt(in.length)] = (byte) rnd.nextInt(256);
            }
            int len = rnd.nextInt(4) == 0 ? rnd.nextInt(in.length + 1) : in.length;
            RecordingScan scan = RecordingScan.of(in, 0, len);
            for (RecordingScan.Segment s : scan.segments()) {
                try {
                    byte[] raw = SegmentCodec.inflate(s.header(), in, (int) s.offset());
                    RecordCodec.decodeAll(raw, 0, raw.length);
                } catch (ProtocolException e) {
                    rejected++;
                }
            }
            try {
                RecordCodec.decodeAll(in, 0, len);
                decoded++;
            } catch (ProtocolException e) {
                rejected++;
                assertThat(e.offset()).isBetween(0, len);
            }
        }
        assertThat(decoded).isPositive();
        assertThat(rejected).isPositive();
    }

    @Test
    void keyTextNamesSpecialKeysAndModifiers() {
        KeyText t = new KeyText();
        for (int k : new int[] {'l', 's'}) {
            t.key(true, k);
            t.key(false, k);
        }
        t.key(true, 0xff0d);
        t.key(true, 0xffe1); // Shift: nothing
        t.key(true, 'A');
        t.key(false, 0xffe1);
        t.key(true, 0xffe3); // Ctrl
        t.key(true, 'c');
        t.key(false, 'c');
        t.key(false, 0xffe3);
        t.key(true, 0xff08);
        t.key(true, 0xffbe + 4);
        t.key(true, 0x010020ac); // Unicode euro sign
        t.key(true, 0xe9);
        assertThat(t.text()).isEqualTo("ls<Enter>\nA<Ctrl+c><BackSpace><F5>€é");
    }
}
