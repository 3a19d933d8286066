package org.cam.broker.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.Deflater;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.recording.RecordingScan;
import org.cam.protocol.recording.SegmentCodec;
import org.junit.jupiter.api.Test;

/** The broker's encoder (native LZ4 blocks and zlib into pooled direct buffers) against protocol's reader. */
class SegmentEncoderTest {

    private static final PooledByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    /** Pixels that repeat (compressed blocks), noise (stored blocks) and a chunk that is not full, as 64 KiB chunks. */
    private static byte[] raw() {
        byte[] raw = new byte[5 * 64 * 1024 + 777];
        Random rnd = new Random(11);
        for (int i = 0; i < raw.length; i++) {
            raw[i] = i / (64 * 1024) % 2 == 0 ? (byte) (i * 31) : (byte) rnd.nextInt();
        }
        return raw;
    }

    private static List<ByteBuf> chunks(byte[] raw) {
        List<ByteBuf> out = new ArrayList<>();
        for (int at = 0; at < raw.length; at += 64 * 1024) {
            ByteBuf c = ALLOC.directBuffer(64 * 1024, 64 * 1024);
            c.writeBytes(raw, at, Math.min(64 * 1024, raw.length - at));
            out.add(c);
        }
        return out;
    }

    /** The raw bytes as one LZ4 segment payload, block by block, as {@link Lz4Segment} compresses them. */
    private static ByteBuf lz4(List<ByteBuf> chunks) {
        ByteBuf frame = SegmentEncoder.lz4Frame(ALLOC.directBuffer(4096));
        chunks.forEach(c -> SegmentEncoder.lz4Block(c, frame));
        return frame.writeIntLE(0);
    }

    @Test
    void segmentsOfEachCodecChainVerifyAndDecompressToTheirRecords() throws ProtocolException {
        byte[] raw = raw();
        SegmentEncoder encoder = new SegmentEncoder();
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        byte[] previous = SegmentCodec.GENESIS;
        // LZ4 (the default), zlib level 1 (what recordings were), zlib stored (level 0): one file may mix them.
        Object[][] cases = {{SegmentCodec.Codec.LZ4, 1}, {SegmentCodec.Codec.ZLIB, 1},
            {SegmentCodec.Codec.ZLIB, Deflater.NO_COMPRESSION}};
        for (int i = 0; i < cases.length; i++) {
            List<ByteBuf> chunks = chunks(raw);
            SegmentEncoder.Compressed c = cases[i][0] == SegmentCodec.Codec.LZ4
                    ? new SegmentEncoder.Compressed(lz4(chunks), SegmentCodec.Codec.LZ4, raw.length, i * 10L,
                            i * 10L + 5)
                    : encoder.deflate(chunks, raw.length, i * 10L, i * 10L + 5, (int) cases[i][1], ALLOC.directBuffer(4096));
            chunks.forEach(ByteBuf::release);
            try {
                SegmentEncoder.Frame f = encoder.seal(i, c, previous);
                file.writeBytes(f.toArray());
                previous = f.digest();
            } finally {
                c.payload().release();
            }
        }
        byte[] all = file.toByteArray();
        RecordingScan scan = RecordingScan.of(all, 0, all.length);
        assertThat(scan.verifiesAgainst(SegmentCodec.hex(previous))).as(scan.problem()).isTrue();
        assertThat(scan.segments()).extracting(s -> s.header().codec()).containsExactly(SegmentCodec.Codec.LZ4,
                SegmentCodec.Codec.ZLIB, SegmentCodec.Codec.ZLIB);
        // Chunks 1, 3 and 5 are noise: the LZ4 segment stores those blocks as they are (4 bytes of size each), and
        // the pixels shrink.
        int noise = 2 * 64 * 1024 + 777;
        assertThat(scan.segments().get(0).header().compressedLength()).isBetween(noise, noise + 3 * 64 * 1024 / 10);
        for (RecordingScan.Segment s : scan.segments()) {
            assertThat(SegmentCodec.decompress(s.header(), all, (int) s.offset())).isEqualTo(raw);
        }
        // One byte of the LZ4 segment's payload altered: the chain breaks there.
        byte[] altered = all.clone();
        altered[SegmentCodec.HEADER_LENGTH + 100] ^= 0x01;
        RecordingScan broken = RecordingScan.of(altered, 0, altered.length);
        assertThat(broken.chainIntact()).isFalse();
        assertThat(broken.segments()).isEmpty();
        assertThat(broken.verifiesAgainst(SegmentCodec.hex(previous))).isFalse();
    }
}
