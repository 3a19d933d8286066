package org.cam.protocol.rfb;

import java.nio.charset.StandardCharsets;
import org.cam.protocol.ProtocolException;

/** Bounds-checked big-endian reader over a byte array slice; every overrun is a ProtocolException. */
final class WireReader {

    private final byte[] buf;
    private final int start;
    private final int limit;
    private int pos;

    WireReader(byte[] buf, int off, int len) {
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IllegalArgumentException("slice out of range");
        }
        this.buf = buf;
        this.start = off;
        this.pos = off;
        this.limit = off + len;
    }

    int position() {
        return pos - start;
    }

    int remaining() {
        return limit - pos;
    }

    private void need(int n) throws ProtocolException {
        if (limit - pos < n) {
            throw new ProtocolException(position(), "truncated: need " + n + " more bytes");
        }
    }

    int u8() throws ProtocolException {
        need(1);
        return buf[pos++] & 0xff;
    }

    int u16() throws ProtocolException {
        need(2);
        int v = ((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff);
        pos += 2;
        return v;
    }

    int s32() throws ProtocolException {
        need(4);
        int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8)
                | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    void skip(int n) throws ProtocolException {
        need(n);
        pos += n;
    }

    byte[] bytes(int n) throws ProtocolException {
        need(n);
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    String latin1(int n) throws ProtocolException {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    void end() throws ProtocolException {
        if (pos != limit) {
            throw new ProtocolException(position(), "trailing bytes: " + (limit - pos));
        }
    }

    static void putU16(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 8);
        b[off + 1] = (byte) v;
    }

    static void putS32(byte[] b, int off, int v) {
        b[off] = (byte) (v >>> 24);
        b[off + 1] = (byte) (v >>> 16);
        b[off + 2] = (byte) (v >>> 8);
        b[off + 3] = (byte) v;
    }
}
