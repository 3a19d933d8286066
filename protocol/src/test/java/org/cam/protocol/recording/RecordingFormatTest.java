package org.cam.protocol.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.rfb.PixelFormat;
import org.cam.protocol.rfb.ServerInit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

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

    /** A file of {@code n} zlib segments, each holding the sample records. */
    static byte[] file(int n, List<String> digests) {
        return file(n, digests, SegmentCodec.Codec.ZLIB);
    }

    /** A file of {@code n} segments of {@code codec}, each holding the sample records. */
    static byte[] file(int n, List<String> digests, SegmentCodec.Codec codec) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] prev = SegmentCodec.GENESIS;
        for (int i = 0; i < n; i++) {
            byte[] raw = records(sample());
            SegmentCodec.Encoded e = SegmentCodec.encode(i, i * 10L, i * 10L + 8, raw, 0, raw.length, prev, codec);
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

    @ParameterizedTest
    @EnumSource(SegmentCodec.Codec.class)
    void segmentsChainAndDecompress(SegmentCodec.Codec codec) throws ProtocolException {
        List<String> digests = new ArrayList<>();
        byte[] f = file(3, digests, codec);
        RecordingScan scan = RecordingScan.of(f, 0, f.length);
        assertThat(scan.chainIntact()).isTrue();
        assertThat(scan.truncatedTail()).isFalse();
        assertThat(scan.segments()).hasSize(3);
        assertThat(scan.digest()).isEqualTo(digests.get(2));
        assertThat(scan.verifiesAgainst(digests.get(2))).isTrue();
        assertThat(scan.verifiesAgainst(digests.get(1))).isFalse();
        assertThat(scan.durationMillis()).isEqualTo(28);
        RecordingScan.Segment s = scan.segments().get(1);
        assertThat(s.header().codec()).isEqualTo(codec);
        assertThat(f[(int) s.offset() + 4]).isEqualTo((byte) codec.id);
        byte[] raw = SegmentCodec.decompress(s.header(), f, (int) s.offset());
        assertThat(RecordCodec.decodeAll(raw, 0, raw.length)).containsExactlyElementsOf(sample());
    }

    @ParameterizedTest
    @EnumSource(SegmentCodec.Codec.class)
    void anAlteredByteBreaksTheChainAtItsSegment(SegmentCodec.Codec codec) {
        List<String> digests = new ArrayList<>();
        byte[] f = file(3, digests, codec);
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
        assertThatThrownBy(() -> SegmentCodec.decompress(h, f, 0)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("beyond");
        RecordCodec.putU32(f, 17, (1 << 20) + 5);
        SegmentCodec.FrameHeader h2 = headerOf(f);
        assertThatThrownBy(() -> SegmentCodec.decompress(h2, f, 0)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void aFileWrittenBeforeLz4StillScansVerifiesAndDecompresses() throws ProtocolException {
        // Two zlib segments made outside this code base (Python's zlib and hashlib, the layout as documented before
        // the codec byte: version 1): a Device record, then a Key record.
        byte[] old = java.util.HexFormat.of().parseHex("43414d52010000000000000005000000050000000d00000012780163"
                + "6460606005621620660000005b000b2ca50a51c1052f27451d8ea3ec173ada81d01fda9f006b9c76d89221125a90c94341"
                + "4d52010000000100000009000000090000000e00000013780163626060e0046256462051080001180083b6b688cf71a750"
                + "7ad1a275f342f1ce81130b4ce6e903a7dfde389aefe57cc89a");
        RecordingScan scan = RecordingScan.of(old, 0, old.length);
        assertThat(scan.verifiesAgainst("b6b688cf71a7507ad1a275f342f1ce81130b4ce6e903a7dfde389aefe57cc89a")).isTrue();
        List<Record> got = new ArrayList<>();
        for (RecordingScan.Segment s : scan.segments()) {
            assertThat(s.header().codec()).isEqualTo(SegmentCodec.Codec.ZLIB);
            byte[] raw = SegmentCodec.decompress(s.header(), old, (int) s.offset());
            got.addAll(RecordCodec.decodeAll(raw, 0, raw.length));
        }
        assertThat(got).containsExactly(new Record.Device(5, new byte[] {0, 0, 0, 0}), new Record.Key(9, true, 'q'));
    }

    @Test
    void oneFileMayMixCodecs() throws ProtocolException {
        byte[] raw = records(sample());
        SegmentCodec.Encoded z = SegmentCodec.encode(0, 0, 8, raw, 0, raw.length, SegmentCodec.GENESIS, 0);
        SegmentCodec.Encoded l = SegmentCodec.encode(1, 10, 18, raw, 0, raw.length, z.digest(),
                SegmentCodec.Codec.LZ4);
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(z.frame());
        o.writeBytes(l.frame());
        byte[] f = o.toByteArray();
        RecordingScan scan = RecordingScan.of(f, 0, f.length);
        assertThat(scan.verifiesAgainst(SegmentCodec.hex(l.digest()))).isTrue();
        assertThat(scan.segments()).extracting(s -> s.header().codec())
                .containsExactly(SegmentCodec.Codec.ZLIB, SegmentCodec.Codec.LZ4);
        for (RecordingScan.Segment s : scan.segments()) {
            byte[] back = SegmentCodec.decompress(s.header(), f, (int) s.offset());
            assertThat(back).isEqualTo(raw);
        }
    }

    @Test
    void lz4FramesOfManyBlocksRoundTripCompressedAndStored() throws ProtocolException {
        // 200 KiB of pixels that repeat (compressed blocks) then 150 KiB of noise (stored blocks) and a partial block.
        Random rnd = new Random(7);
        byte[] raw = new byte[350 * 1024 + 123];
        for (int i = 0; i < 200 * 1024; i++) {
            raw[i] = (byte) (i * 31);
        }
        byte[] noise = new byte[raw.length - 200 * 1024];
        rnd.nextBytes(noise);
        System.arraycopy(noise, 0, raw, 200 * 1024, noise.length);
        SegmentCodec.Encoded e = SegmentCodec.encode(0, 0, 1, raw, 0, raw.length, SegmentCodec.GENESIS,
                SegmentCodec.Codec.LZ4);
        byte[] f = e.frame();
        SegmentCodec.FrameHeader h = headerOf(f);
        assertThat(h.compressedLength()).isLessThan(raw.length - 150 * 1024);
        assertThat(SegmentCodec.decompress(h, f, 0)).isEqualTo(raw);
        // A raw length that does not match the frame is refused both ways.
        RecordCodec.putU32(f, 17, raw.length - 1);
        assertThatThrownBy(() -> SegmentCodec.decompress(headerOf(f), f, 0)).isInstanceOf(ProtocolException.class);
        RecordCodec.putU32(f, 17, raw.length + 1);
        assertThatThrownBy(() -> SegmentCodec.decompress(headerOf(f), f, 0)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("decompresses to");
    }

    @Test
    void mutatedLz4PayloadsOnlyEverFailCleanly() {
        // The chain stops altered segments before they are decompressed; the decoder must hold without it too.
        Random rnd = new Random(0x124);
        byte[] raw = records(sample());
        byte[] big = new byte[100_000];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i % 251 < 200 ? i * 7 : rnd.nextInt());
        }
        int ok = 0;
        int rejected = 0;
        for (int iter = 0; iter < 5_000; iter++) {
            byte[] src = iter % 2 == 0 ? raw : big;
            byte[] p = Lz4Frame.encode(src, 0, src.length);
            for (int k = 1 + rnd.nextInt(3); k > 0; k--) {
                p[rnd.nextInt(p.length)] = (byte) rnd.nextInt(256);
            }
            int len = rnd.nextInt(4) == 0 ? rnd.nextInt(p.length + 1) : p.length;
            try {
                Lz4Frame.decode(p, 0, len, src.length, 0);
                ok++;
            } catch (ProtocolException e) {
                rejected++;
                assertThat(e.offset()).isBetween(0, p.length);
            }
        }
        assertThat(rejected).isPositive();
        assertThat(ok + rejected).isEqualTo(5_000);
    }

    @Test
    void anUnknownCodecIsRefused() {
        byte[] raw = records(sample());
        byte[] f = SegmentCodec.encode(0, 0, 8, raw, 0, raw.length, SegmentCodec.GENESIS, SegmentCodec.Codec.LZ4)
                .frame();
        f[4] = 3;
        assertThatThrownBy(() -> SegmentCodec.readHeader(f, 0, f.length)).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("codec 3");
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
                    byte[] raw = SegmentCodec.decompress(s.header(), in, (int) s.offset());
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
