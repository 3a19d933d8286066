package org.cam.protocol;

import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked, allocation-free cursor over a slice of a byte array, for decoders.
 *
 * <p>Every read checks the remaining length first and throws {@link ProtocolException} with the caller's reason
 * instead of an {@link IndexOutOfBoundsException}. Offsets in exceptions and {@link #position()} are relative to
 * the start of the slice, so they match what a packet capture shows. Big-endian (network order) throughout.
 * Not thread-safe; create one per decode.
 */
public final class ByteReader {

    private final byte[] buf;
    private final int start;
    private final int end;
    private int pos;

    /**
     * @throws ProtocolException "bad buffer" if {@code buf} is null or the range lies outside it
     */
    public ByteReader(byte[] buf, int off, int len) throws ProtocolException {
        if (buf == null || off < 0 || len < 0 || off > buf.length - len) {
            throw new ProtocolException("bad buffer");
        }
        this.buf = buf;
        this.start = off;
        this.end = off + len;
        this.pos = off;
    }

    /** Current position, relative to the start of the slice. */
    public int position() {
        return pos - start;
    }

    public int remaining() {
        return end - pos;
    }

    /** Ensures {@code n} more bytes are present, else throws with {@code reason} at the current position. */
    public void require(int n, String reason) throws ProtocolException {
        if (n < 0 || n > end - pos) {
            throw new ProtocolException(position(), reason);
        }
    }

    public int u8(String reason) throws ProtocolException {
        require(1, reason);
        return buf[pos++] & 0xFF;
    }

    public int u16(String reason) throws ProtocolException {
        require(2, reason);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    /** Unsigned 32-bit value as a non-negative long. */
    public long u32(String reason) throws ProtocolException {
        return i32(reason) & 0xFFFF_FFFFL;
    }

    public int i32(String reason) throws ProtocolException {
        require(4, reason);
        int v = ((buf[pos] & 0xFF) << 24) | ((buf[pos + 1] & 0xFF) << 16)
                | ((buf[pos + 2] & 0xFF) << 8) | (buf[pos + 3] & 0xFF);
        pos += 4;
        return v;
    }

    public long i64(String reason) throws ProtocolException {
        long hi = i32(reason) & 0xFFFF_FFFFL;
        long lo = i32(reason) & 0xFFFF_FFFFL;
        return (hi << 32) | lo;
    }

    public void skip(int n, String reason) throws ProtocolException {
        require(n, reason);
        pos += n;
    }

    /** Copies {@code n} bytes out; the caller has bounded {@code n} by {@link #remaining()} via this check. */
    public byte[] bytes(int n, String reason) throws ProtocolException {
        require(n, reason);
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    /**
     * Reads {@code n} bytes of strict UTF-8 text (see {@link Text#isValidUtf8Text}); throws {@code badValue}
     * at the string's first byte if the bytes are not valid text.
     */
    public String utf8(int n, String truncated, String badValue) throws ProtocolException {
        require(n, truncated);
        if (!Text.isValidUtf8Text(buf, pos, n)) {
            throw new ProtocolException(position(), badValue);
        }
        String s = new String(buf, pos, n, StandardCharsets.UTF_8);
        pos += n;
        return s;
    }

    /** Reads one byte at an absolute slice offset without moving; the caller has checked the bounds. */
    public int peekU8(int sliceOffset) {
        return buf[start + sliceOffset] & 0xFF;
    }
}
