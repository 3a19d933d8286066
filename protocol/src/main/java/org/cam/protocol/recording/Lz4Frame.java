package org.cam.protocol.recording;

import java.util.Arrays;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHashFactory;
import org.cam.protocol.ProtocolException;

/**
 * The recording's fast codec: a standard LZ4 frame (lz4's "Frame Format Description", so {@code lz4 -d} reads a
 * payload cut out of a segment) of independent blocks of at most 64 KiB, no checksums (the segment's SHA-256 chain
 * covers every byte) and no content size (the segment header has it). Exactly this profile is read back; other
 * frames (checksums, linked blocks, bigger blocks) are refused rather than half understood.
 *
 * <pre>
 *  04 22 4D 18   magic (0x184D2204, little-endian)
 *  60            FLG: version 01, blocks independent
 *  40            BD: blocks of at most 64 KiB
 *  HC            second byte of xxHash32(FLG BD)
 *  per block:    u32le size (high bit: stored, not compressed), then the block (LZ4 block format)
 *  00 00 00 00   end mark
 * </pre>
 *
 * Only the JDK-safe Java implementations of lz4-java are used here (no native code, no {@code Unsafe}): the module
 * stays pure. The broker compresses with lz4-java's native compressor into the same layout.
 */
public final class Lz4Frame {

    /** Largest block, raw: a writer cuts its input into pieces of at most this. */
    public static final int MAX_BLOCK = 64 * 1024;
    /** The block size's high bit: the block is stored as is. */
    public static final int STORED = 0x80000000;
    private static final int FLG = 0x60;
    private static final int BD = 0x40;
    /** The frame header every segment payload starts with. */
    private static final byte[] HEADER = {0x04, 0x22, 0x4D, 0x18, FLG, BD, headerChecksum()};
    public static final int HEADER_LENGTH = 7;
    public static final int END_MARK_LENGTH = 4;

    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.safeInstance().safeDecompressor();

    private Lz4Frame() {
    }

    private static byte headerChecksum() {
        return (byte) (XXHashFactory.safeInstance().hash32().hash(new byte[] {FLG, BD}, 0, 2, 0) >>> 8);
    }

    /** A copy of the frame header. */
    public static byte[] header() {
        return HEADER.clone();
    }

    /** Compresses {@code raw[off, off+len)} into one frame (pure Java; the broker uses the native compressor). */
    public static byte[] encode(byte[] raw, int off, int len) {
        var compressor = LZ4Factory.safeInstance().fastCompressor();
        byte[] out = new byte[HEADER_LENGTH + len + (len / MAX_BLOCK + 1) * 4 + END_MARK_LENGTH];
        System.arraycopy(HEADER, 0, out, 0, HEADER_LENGTH);
        int pos = HEADER_LENGTH;
        byte[] block = new byte[compressor.maxCompressedLength(MAX_BLOCK)];
        for (int at = off; at < off + len; at += MAX_BLOCK) {
            int n = Math.min(MAX_BLOCK, off + len - at);
            int c = compressor.compress(raw, at, n, block, 0, block.length);
            if (c < n) {
                putU32Le(out, pos, c);
                System.arraycopy(block, 0, out, pos + 4, c);
                pos += 4 + c;
            } else {
                putU32Le(out, pos, n | STORED);
                System.arraycopy(raw, at, out, pos + 4, n);
                pos += 4 + n;
            }
        }
        putU32Le(out, pos, 0);
        return Arrays.copyOf(out, pos + END_MARK_LENGTH);
    }

    /**
     * Decompresses the frame {@code b[off, off+len)}, which must give exactly {@code rawLength} bytes.
     *
     * @param at where the frame starts in the segment (for the offsets in errors)
     * @throws ProtocolException for another frame profile, a bad header checksum, a block that is not LZ4 or runs past
     *                           the frame, output other than rawLength bytes, or bytes after the end mark
     */
    public static byte[] decode(byte[] b, int off, int len, int rawLength, int at) throws ProtocolException {
        if (len < HEADER_LENGTH + END_MARK_LENGTH) {
            throw new ProtocolException(at, "LZ4 frame truncated");
        }
        for (int i = 0; i < HEADER_LENGTH; i++) {
            if (b[off + i] != HEADER[i]) {
                throw new ProtocolException(at + i, "not the recording's LZ4 frame profile");
            }
        }
        byte[] out = new byte[rawLength];
        int pos = off + HEADER_LENGTH;
        int end = off + len;
        int n = 0;
        while (true) {
            if (end - pos < 4) {
                throw new ProtocolException(at + pos - off, "LZ4 frame ends inside a block size");
            }
            int size = u32Le(b, pos);
            pos += 4;
            if (size == 0) {
                break;
            }
            boolean stored = (size & STORED) != 0;
            size &= ~STORED;
            if (size > MAX_BLOCK || size > end - pos) {
                throw new ProtocolException(at + pos - off - 4, "LZ4 block of " + size + " bytes does not fit");
            }
            int room = Math.min(MAX_BLOCK, rawLength - n);
            if (stored) {
                if (size > room) {
                    throw new ProtocolException(at + pos - off, "segment decompresses beyond its raw length");
                }
                System.arraycopy(b, pos, out, n, size);
                n += size;
            } else {
                try {
                    n += DECOMPRESSOR.decompress(b, pos, size, out, n, room);
                } catch (LZ4Exception e) {
                    throw new ProtocolException(at + pos - off, "LZ4 block is malformed or decompresses beyond"
                            + " its room");
                }
            }
            pos += size;
        }
        if (n != rawLength) {
            throw new ProtocolException(at, "segment decompresses to " + n + " of " + rawLength + " bytes");
        }
        if (pos != end) {
            throw new ProtocolException(at + pos - off, "bytes after the LZ4 frame's end mark");
        }
        return out;
    }

    private static void putU32Le(byte[] b, int p, int v) {
        b[p] = (byte) v;
        b[p + 1] = (byte) (v >>> 8);
        b[p + 2] = (byte) (v >>> 16);
        b[p + 3] = (byte) (v >>> 24);
    }

    private static int u32Le(byte[] b, int p) {
        return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
    }
}
