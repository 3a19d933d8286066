package org.cam.protocol.rfb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.cam.protocol.ProtocolException;

/**
 * Incremental parser of the client-to-server RFB stream after the handshake: every message of RFC 6143 and the
 * registry extensions in {@link ClientMessage}. Message types whose length cannot be known (vendor messages that no
 * pseudo-encoding of ours turns on) are a {@link ProtocolException}, never a guess.
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
                long n = new WireReader(b, off + 4, 4).s32();
                if (n < 0) {
                    // Extended clipboard: -n bytes follow, the first four are the flags.
                    n = -n;
                    if (n < 4 || n > maxCutText) {
                        throw new ProtocolException(4, "extended clipboard length out of range: " + n);
                    }
                } else if (n > maxCutText) {
                    throw new ProtocolException(4, "cut text length out of range: " + n);
                }
                return 8 + (int) n;
            }
            case ClientMessage.ENABLE_CONTINUOUS_UPDATES:
                return 10;
            case ClientMessage.FENCE: {
                if (len < 9) {
                    return 0;
                }
                int n = b[off + 8] & 0xff;
                if (n > ClientMessage.MAX_FENCE_PAYLOAD) {
                    throw new ProtocolException(8, "fence payload over 64 bytes: " + n);
                }
                return 9 + n;
            }
            case ClientMessage.XVP:
                return 4;
            case ClientMessage.SET_DESKTOP_SIZE: {
                if (len < 7) {
                    return 0;
                }
                return 8 + 16 * (b[off + 6] & 0xff);
            }
            case ClientMessage.GII: {
                if (len < 4) {
                    return 0;
                }
                boolean big = (b[off + 1] & 0x80) != 0;
                int n = big ? ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff)
                        : ((b[off + 3] & 0xff) << 8) | (b[off + 2] & 0xff);
                return 4 + n;
            }
            case ClientMessage.QEMU: {
                if (len < 2) {
                    return 0;
                }
                int sub = b[off + 1] & 0xff;
                if (sub == ClientMessage.QEMU_EXTENDED_KEY_EVENT) {
                    return 12;
                }
                if (sub != ClientMessage.QEMU_AUDIO) {
                    throw new ProtocolException(1, "unknown QEMU client message sub-type " + sub);
                }
                if (len < 4) {
                    return 0;
                }
                int op = ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
                switch (op) {
                    case ClientMessage.QemuAudio.ENABLE:
                    case ClientMessage.QemuAudio.DISABLE:
                        return 4;
                    case ClientMessage.QemuAudio.SET_FORMAT:
                        return 10;
                    default:
                        throw new ProtocolException(2, "unknown QEMU audio operation " + op);
                }
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
                if (tl < 0) {
                    int flags = r.s32();
                    m = new ClientMessage.ExtendedClipboardMessage(flags, r.bytes(r.remaining()));
                } else {
                    m = new ClientMessage.ClientCutText(new String(r.bytes(tl), StandardCharsets.ISO_8859_1));
                }
                break;
            }
            case ClientMessage.ENABLE_CONTINUOUS_UPDATES: {
                int enable = r.u8();
                m = new ClientMessage.EnableContinuousUpdates(enable != 0, r.u16(), r.u16(), r.u16(), r.u16());
                break;
            }
            case ClientMessage.FENCE: {
                r.skip(3);
                int flags = r.s32();
                m = new ClientMessage.ClientFence(flags, r.bytes(r.u8()));
                break;
            }
            case ClientMessage.XVP: {
                r.skip(1);
                m = new ClientMessage.Xvp(r.u8(), r.u8());
                break;
            }
            case ClientMessage.SET_DESKTOP_SIZE: {
                r.skip(1);
                int w = r.u16();
                int h = r.u16();
                int count = r.u8();
                r.skip(1);
                List<ClientMessage.Screen> screens = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    screens.add(new ClientMessage.Screen(r.s32(), r.u16(), r.u16(), r.u16(), r.u16(), r.s32()));
                }
                m = new ClientMessage.SetDesktopSize(w, h, screens);
                break;
            }
            case ClientMessage.GII: {
                int es = r.u8();
                r.skip(2);
                m = new ClientMessage.Gii((es & 0x80) != 0, es & 0x7f, r.bytes(r.remaining()));
                break;
            }
            case ClientMessage.QEMU: {
                int sub = r.u8();
                if (sub == ClientMessage.QEMU_EXTENDED_KEY_EVENT) {
                    int down = r.u16();
                    m = new ClientMessage.QemuExtendedKeyEvent(down != 0, r.s32(), r.s32());
                } else {
                    int op = r.u16();
                    if (op == ClientMessage.QemuAudio.SET_FORMAT) {
                        int fmt = r.u8();
                        int ch = r.u8();
                        m = new ClientMessage.QemuAudio(op, fmt, ch, r.s32());
                    } else {
                        m = new ClientMessage.QemuAudio(op, 0, 0, 0);
                    }
                }
                break;
            }
            default:
                throw new ProtocolException(0, "unknown client message type " + type);
        }
        r.end();
        return m;
    }
}
