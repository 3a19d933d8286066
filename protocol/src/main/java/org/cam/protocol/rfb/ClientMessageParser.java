package org.cam.protocol.rfb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.cam.protocol.ProtocolException;

/**
 * Incremental parser of the client-to-server RFB stream after the handshake.
 *
 * <p>Feed it chunks as they arrive ({@link #feed}); {@link #next()} then returns one complete message at a
 * time with its exact wire bytes, or null when it needs more bytes. A malformed stream (unknown message
 * type, out-of-range length) throws {@link ProtocolException} and the parser is then unusable: the caller
 * closes the connection. A relay that must drop input for view-only sessions forwards {@link Frame#raw()}
 * of the frames it keeps, so what reaches the server is byte for byte what the client sent.
 *
 * <p>The stateless {@link #frameLength} and {@link #decode} are there for callers with their own buffers.
 */
public final class ClientMessageParser {

    /** Default upper bound for ClientCutText (clipboard) payloads. */
    public static final int DEFAULT_MAX_CUT_TEXT = 1 << 20;
    /** SetEncodings with more entries than this is treated as malformed. */
    public static final int MAX_ENCODINGS = 1024;

    /**
     * One complete message.
     *
     * @param message the decoded message
     * @param raw     its wire bytes
     */
    public record Frame(ClientMessage message, byte[] raw) {
    }

    private final int maxCutText;
    private byte[] buf = new byte[256];
    private int start;
    private int end;
    private long consumed;
    private boolean failed;

    /** A parser bounding ClientCutText to {@link #DEFAULT_MAX_CUT_TEXT}. */
    public ClientMessageParser() {
        this(DEFAULT_MAX_CUT_TEXT);
    }

    /** A parser bounding ClientCutText payloads to {@code maxCutText} bytes. */
    public ClientMessageParser(int maxCutText) {
        if (maxCutText < 0) {
            throw new IllegalArgumentException("maxCutText < 0");
        }
        this.maxCutText = maxCutText;
    }

    /** Appends bytes received from the client. */
    public void feed(byte[] data, int off, int len) {
        if (len == 0) {
            return;
        }
        if (end + len > buf.length) {
            int live = end - start;
            if (live + len <= buf.length && start > 0) {
                System.arraycopy(buf, start, buf, 0, live);
            } else {
                byte[] nb = new byte[Math.max(buf.length * 2, live + len)];
                System.arraycopy(buf, start, nb, 0, live);
                buf = nb;
            }
            start = 0;
            end = live;
        }
        System.arraycopy(data, off, buf, end, len);
        end += len;
    }

    /** Appends a whole array. */
    public void feed(byte[] data) {
        feed(data, 0, data.length);
    }

    /** Bytes buffered but not yet returned as a frame. */
    public int buffered() {
        return end - start;
    }

    /**
     * The next complete message, or null when more bytes are needed.
     *
     * @throws ProtocolException for an unknown type or a bad length; offsets count from the stream's start
     */
    public Frame next() throws ProtocolException {
        if (failed) {
            throw new IllegalStateException("parser failed before; close the connection");
        }
        try {
            int avail = end - start;
            int n = frameLength(buf, start, avail, maxCutText);
            if (n == 0 || n > avail) {
                return null;
            }
            ClientMessage m = decode(buf, start, n, maxCutText);
            byte[] raw = new byte[n];
            System.arraycopy(buf, start, raw, 0, n);
            start += n;
            consumed += n;
            if (start == end) {
                start = 0;
                end = 0;
            }
            return new Frame(m, raw);
        } catch (ProtocolException e) {
            failed = true;
            long off = consumed + Math.max(0, e.offset());
            throw new ProtocolException((int) Math.min(Integer.MAX_VALUE, off), e.reason());
        }
    }

    /** All complete messages buffered now. */
    public List<Frame> drain() throws ProtocolException {
        List<Frame> out = new ArrayList<>();
        Frame f;
        while ((f = next()) != null) {
            out.add(f);
        }
        return out;
    }

    /**
     * Length of the message starting at {@code off}: 0 when not enough bytes are there to tell, otherwise the
     * full length (which may exceed {@code len}: wait for more).
     *
     * @throws ProtocolException for an unknown type or a length out of bounds
     */
    public static int frameLength(byte[] b, int off, int len, int maxCutText) throws ProtocolException {
        if (len < 1) {
            return 0;
        }
        int type = b[off] & 0xff;
        switch (type) {
            case ClientMessage.SET_PIXEL_FORMAT:
                return 20;
            case ClientMessage.SET_ENCODINGS: {
                if (len < 4) {
                    return 0;
                }
                int n = ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
                if (n > MAX_ENCODINGS) {
                    throw new ProtocolException(2, "too many encodings: " + n);
                }
                return 4 + 4 * n;
            }
            case ClientMessage.FRAMEBUFFER_UPDATE_REQUEST:
                return 10;
            case ClientMessage.KEY_EVENT:
                return 8;
            case ClientMessage.POINTER_EVENT:
                return 6;
            case ClientMessage.CLIENT_CUT_TEXT: {
                if (len < 8) {
                    return 0;
                }
                int n = new WireReader(b, off + 4, 4).s32();
                // A negative length is the Extended Clipboard pseudo-encoding, which we never enable.
                if (n < 0 || n > maxCutText) {
                    throw new ProtocolException(4, "cut text length out of range: " + n);
                }
                return 8 + n;
            }
            default:
                throw new ProtocolException(0, "unknown client message type " + type);
        }
    }

    /**
     * Decodes exactly one message occupying {@code len} bytes at {@code off}.
     *
     * @throws ProtocolException for a malformed message or when {@code len} is not its exact length
     */
    public static ClientMessage decode(byte[] b, int off, int len, int maxCutText) throws ProtocolException {
        int n = frameLength(b, off, len, maxCutText);
        if (n == 0 || n > len) {
            throw new ProtocolException(len, "truncated client message");
        }
        if (n < len) {
            throw new ProtocolException(n, "trailing bytes after client message");
        }
        WireReader r = new WireReader(b, off, n);
        int type = r.u8();
        ClientMessage m;
        switch (type) {
            case ClientMessage.SET_PIXEL_FORMAT:
                r.skip(3);
                try {
                    m = new ClientMessage.SetPixelFormat(PixelFormat.decode(b, off + 4, n - 4));
                } catch (ProtocolException e) {
                    throw new ProtocolException(4 + e.offset(), e.reason());
                }
                r.skip(PixelFormat.LENGTH);
                break;
            case ClientMessage.SET_ENCODINGS: {
                r.skip(1);
                int count = r.u16();
                List<Integer> enc = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    enc.add(r.s32());
                }
                m = new ClientMessage.SetEncodings(enc);
                break;
            }
            case ClientMessage.FRAMEBUFFER_UPDATE_REQUEST: {
                int inc = r.u8();
                m = new ClientMessage.FramebufferUpdateRequest(inc != 0, r.u16(), r.u16(), r.u16(), r.u16());
                break;
            }
            case ClientMessage.KEY_EVENT: {
                int down = r.u8();
                r.skip(2);
                m = new ClientMessage.KeyEvent(down != 0, r.s32());
                break;
            }
            case ClientMessage.POINTER_EVENT:
                m = new ClientMessage.PointerEvent(r.u8(), r.u16(), r.u16());
                break;
            case ClientMessage.CLIENT_CUT_TEXT: {
                r.skip(3);
                int tl = r.s32();
                m = new ClientMessage.ClientCutText(new String(r.bytes(tl), StandardCharsets.ISO_8859_1));
                break;
            }
            default:
                throw new ProtocolException(0, "unknown client message type " + type);
        }
        r.end();
        return m;
    }
}
