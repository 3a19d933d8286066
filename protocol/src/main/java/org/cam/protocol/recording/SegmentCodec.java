package org.cam.protocol.recording;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.cam.protocol.ByteReader;
import org.cam.protocol.ProtocolException;

/**
 * A recording file is a sequence of segments, appended as the session runs; each is compressed on its own (a reader
 * can start at any segment and a crash loses at most the segment being written) and chained to the one before by
 * SHA-256. A segment, big-endian:
 *
 * <pre>
 *  0  "CAMR"                 magic
 *  4  u8  codec                1: zlib, 2: LZ4 (files written before the LZ4 codec have 1 here, then called the version)
 *  5  u32 index              0, 1, 2, ... without gaps
 *  9  u32 firstMillis        time of its first record
 * 13  u32 lastMillis         time of its last record
 * 17  u32 rawLength          bytes of records once inflated (at most MAX_RAW)
 * 21  u32 compressedLength
 * 25  payload                the records ({@link RecordCodec}) compressed by the codec: zlib (RFC 1950), or an
 *                            LZ4 frame ({@link Lz4Frame})
 * 25+c digest[32]            SHA-256(previous segment's digest || bytes 0 .. 25+c of this segment)
 * </pre>
 *
 * Each segment says its codec, so one file may mix them (the broker's stored segments under backlog are zlib level 0
 * whatever the codec of the others) and recordings made before LZ4 still play and verify. The digest covers the header
 * and the compressed payload, codec byte included. The first segment's "previous digest" is 32 zero bytes. The last segment's digest is the recording's digest: it
 * commits to every byte before it, so a reader holding the digest from elsewhere (the SESSION_END audit event) can tell
 * an altered, removed or reordered segment, and a cut tail.
 */
public final class SegmentCodec {

    public static final byte[] MAGIC = {'C', 'A', 'M', 'R'};
    /**
     * What a segment's payload is compressed with; {@link #id} is its header byte. LZ4 costs the relay a tenth of zlib
     * level 1's CPU per byte (docs/performance.md); zlib remains readable and writable.
     */
    public enum Codec {
        ZLIB(1), LZ4(2);

        public final int id;

        Codec(int id) {
            this.id = id;
        }

        /** The codec of header byte {@code id}, or null. */
        public static Codec of(int id) {
            for (Codec c : values()) {
                if (c.id == id) {
                    return c;
                }
            }
            return null;
        }
    }

    public static final int HEADER_LENGTH = 25;
    public static final int DIGEST_LENGTH = 32;
    /** Largest inflated segment a reader accepts (a writer cuts segments far below it). */
    public static final int MAX_RAW = 64 * 1024 * 1024;
    /** Largest compressed payload accepted (zlib can grow incompressible data a little). */
    public static final int MAX_COMPRESSED = MAX_RAW + MAX_RAW / 16 + 1024;
    /** The "previous digest" of segment 0. */
    public static final byte[] GENESIS = new byte[DIGEST_LENGTH];

    private SegmentCodec() {
    }

    /** A segment's fixed header, as read. */
    public record FrameHeader(Codec codec, long index, long firstMillis, long lastMillis, int rawLength,
                              int compressedLength) {
        /** Bytes of the whole segment, digest included. */
        public long frameLength() {
            return (long) HEADER_LENGTH + compressedLength + DIGEST_LENGTH;
        }
    }

    /** An encoded segment and its digest (the next segment's "previous digest"). */
    public record Encoded(byte[] frame, byte[] digest) {
        public Encoded {
            frame = frame.clone();
            digest = digest.clone();
        }

        @Override
        public byte[] frame() {
            return frame.clone();
        }

        @Override
        public byte[] digest() {
            return digest.clone();
        }

        /** Length without a copy. */
        public int length() {
            return frame.length;
        }
    }

    /**
     * Compresses {@code raw[off, off+len)} (whole records) into segment {@code index} with zlib.
     *
     * @param level zlib level; {@link Deflater#BEST_SPEED} keeps a relay's cost low, RFB pixels still shrink well
     */
    public static Encoded encode(long index, long firstMillis, long lastMillis, byte[] raw, int off, int len,
                                 byte[] previousDigest, int level) {
        check(len, previousDigest);
        return frame(Codec.ZLIB, index, firstMillis, lastMillis, len, deflate(raw, off, len, level), previousDigest);
    }

    /** Compresses {@code raw[off, off+len)} (whole records) into segment {@code index} with {@code codec}. */
    public static Encoded encode(long index, long firstMillis, long lastMillis, byte[] raw, int off, int len,
                                 byte[] previousDigest, Codec codec) {
        check(len, previousDigest);
        byte[] payload = codec == Codec.LZ4 ? Lz4Frame.encode(raw, off, len)
                : deflate(raw, off, len, Deflater.BEST_SPEED);
        return frame(codec, index, firstMillis, lastMillis, len, payload, previousDigest);
    }

    private static void check(int len, byte[] previousDigest) {
        if (len > MAX_RAW) {
            throw new IllegalArgumentException("segment larger than " + MAX_RAW);
        }
        if (previousDigest.length != DIGEST_LENGTH) {
            throw new IllegalArgumentException("previous digest must be 32 bytes");
        }
    }

    private static byte[] deflate(byte[] raw, int off, int len, int level) {
        Deflater d = new Deflater(level);
        byte[] compressed;
        try {
            d.setInput(raw, off, len);
            d.finish();
            ByteArrayOutputStream o = new ByteArrayOutputStream(Math.max(64, len / 4));
            byte[] chunk = new byte[64 * 1024];
            while (!d.finished()) {
                int n = d.deflate(chunk);
                o.write(chunk, 0, n);
            }
            compressed = o.toByteArray();
        } finally {
            d.end();
        }
        return compressed;
    }

    private static Encoded frame(Codec codec, long index, long firstMillis, long lastMillis, int len,
                                 byte[] compressed, byte[] previousDigest) {
        byte[] frame = new byte[HEADER_LENGTH + compressed.length + DIGEST_LENGTH];
        putHeader(frame, codec, index, firstMillis, lastMillis, len, compressed.length);
        System.arraycopy(compressed, 0, frame, HEADER_LENGTH, compressed.length);
        byte[] digest = digest(previousDigest, frame, 0, HEADER_LENGTH + compressed.length);
        System.arraycopy(digest, 0, frame, HEADER_LENGTH + compressed.length, DIGEST_LENGTH);
        return new Encoded(frame, digest);
    }

    /**
     * Writes a segment's fixed header into {@code frame[0, HEADER_LENGTH)}: for writers that compress on their own
     * (streaming, into direct buffers) and then hash header and payload with {@link #digest}.
     */
    public static void putHeader(byte[] frame, Codec codec, long index, long firstMillis, long lastMillis,
                                 int rawLength, int compressedLength) {
        System.arraycopy(MAGIC, 0, frame, 0, 4);
        frame[4] = (byte) codec.id;
        RecordCodec.putU32(frame, 5, index);
        RecordCodec.putU32(frame, 9, clampTime(firstMillis));
        RecordCodec.putU32(frame, 13, clampTime(lastMillis));
        RecordCodec.putU32(frame, 17, rawLength);
        RecordCodec.putU32(frame, 21, compressedLength);
    }

    private static long clampTime(long t) {
        return Math.min(Math.max(t, 0), RecordCodec.MAX_TIME);
    }

    /**
     * Reads the fixed header at {@code off}.
     *
     * @throws ProtocolException for fewer than {@link #HEADER_LENGTH} bytes, a bad magic or codec, or lengths beyond
     *                           the limits
     */
    public static FrameHeader readHeader(byte[] b, int off, int len) throws ProtocolException {
        ByteReader r = new ByteReader(b, off, Math.min(len, HEADER_LENGTH));
        r.require(HEADER_LENGTH, "segment header truncated");
        for (int i = 0; i < 4; i++) {
            if (r.u8("segment header truncated") != (MAGIC[i] & 0xFF)) {
                throw new ProtocolException(i, "not a recording segment (bad magic)");
            }
        }
        int codecId = r.u8("segment header truncated");
        Codec codec = Codec.of(codecId);
        if (codec == null) {
            throw new ProtocolException(4, "unsupported segment codec " + codecId);
        }
        long index = r.u32("segment header truncated");
        long first = r.u32("segment header truncated");
        long last = r.u32("segment header truncated");
        long raw = r.u32("segment header truncated");
        long compressed = r.u32("segment header truncated");
        if (raw > MAX_RAW) {
            throw new ProtocolException(17, "segment raw length " + raw + " over the limit");
        }
        if (compressed > MAX_COMPRESSED) {
            throw new ProtocolException(21, "segment compressed length " + compressed + " over the limit");
        }
        if (last < first) {
            throw new ProtocolException(13, "segment ends before it starts");
        }
        return new FrameHeader(codec, index, first, last, (int) raw, (int) compressed);
    }

    /** SHA-256(previous || b[off, off+len)). */
    public static byte[] digest(byte[] previous, byte[] b, int off, int len) {
        MessageDigest md = sha256();
        md.update(previous);
        md.update(b, off, len);
        return md.digest();
    }

    /**
     * Checks the stored digest of the complete segment at {@code off} (its header already read as {@code h}) against
     * {@code previous}; returns the segment's digest when it matches, else null.
     */
    public static byte[] verify(FrameHeader h, byte[] b, int off, byte[] previous) {
        int body = HEADER_LENGTH + h.compressedLength();
        byte[] computed = digest(previous, b, off, body);
        byte[] stored = Arrays.copyOfRange(b, off + body, off + body + DIGEST_LENGTH);
        return MessageDigest.isEqual(computed, stored) ? computed : null;
    }

    /**
     * Decompresses the payload of the complete segment at {@code off} with the codec its header names.
     *
     * @throws ProtocolException when the payload is not valid for its codec or does not give exactly rawLength bytes
     */
    public static byte[] decompress(FrameHeader h, byte[] b, int off) throws ProtocolException {
        if (h.codec() == Codec.LZ4) {
            return Lz4Frame.decode(b, off + HEADER_LENGTH, h.compressedLength(), h.rawLength(), HEADER_LENGTH);
        }
        return inflate(h, b, off);
    }

    private static byte[] inflate(FrameHeader h, byte[] b, int off) throws ProtocolException {
        Inflater inf = new Inflater();
        try {
            inf.setInput(b, off + HEADER_LENGTH, h.compressedLength());
            byte[] out = new byte[h.rawLength()];
            int n = 0;
            while (n < out.length) {
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0 && (inf.finished() || inf.needsInput() || inf.needsDictionary())) {
                    break;
                }
                n += k;
            }
            if (n != out.length) {
                throw new ProtocolException(HEADER_LENGTH, "segment inflates to " + n + " of " + out.length + " bytes");
            }
            if (!inf.finished()) {
                // A bomb must not grow past rawLength: one more byte out means the header lied.
                if (inf.inflate(new byte[1]) > 0) {
                    throw new ProtocolException(HEADER_LENGTH, "segment inflates beyond its raw length");
                }
                if (!inf.finished()) {
                    throw new ProtocolException(HEADER_LENGTH, "segment payload ends inside its zlib stream");
                }
            }
            if (inf.getRemaining() > 0) {
                throw new ProtocolException(HEADER_LENGTH, "bytes after the segment's zlib stream");
            }
            return out;
        } catch (DataFormatException e) {
            throw new ProtocolException(HEADER_LENGTH, "segment payload is not zlib data");
        } finally {
            inf.end();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Lower-case hex of a digest (how it appears in audit events and APIs). */
    public static String hex(byte[] digest) {
        StringBuilder s = new StringBuilder(digest.length * 2);
        for (byte x : digest) {
            s.append(Character.forDigit((x >> 4) & 0xF, 16)).append(Character.forDigit(x & 0xF, 16));
        }
        return s.toString();
    }
}
