package org.cam.simulator.rfb;

import java.nio.ByteBuffer;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.rfb.ClientMessage;
import org.cam.protocol.rfb.ClientMessageParser;

/**
 * Frames a viewer's messages as real servers do: RFC 6143's (decoded by {@link ClientMessageParser}) and the
 * community extensions stock viewers send once a server offers them (rfbproto): extended clipboard (a
 * ClientCutText with a negative length), EnableContinuousUpdates (150), fence (248), SetDesktopSize (251) and QEMU's
 * client message (255: extended key event, audio). Anything else is a protocol error that closes the connection.
 */
final class ClientStream {

    static final int ENABLE_CONTINUOUS_UPDATES = 150;
    static final int FENCE = 248;
    static final int SET_DESKTOP_SIZE = 251;
    static final int QEMU = 255;
    /** Fence payloads are at most 64 bytes (rfbproto). */
    static final int MAX_FENCE_PAYLOAD = 64;
    /** Screens in one SetDesktopSize; far above any real layout. */
    static final int MAX_SCREENS = 16;

    /** One framed message. */
    sealed interface Incoming {
    }

    record Classic(ClientMessage message) implements Incoming {
    }

    /** An extended-clipboard message: its flags word and what follows it. */
    record ExtendedClipboard(int flags, byte[] data) implements Incoming {
    }

    record ContinuousUpdates(boolean enable, int x, int y, int width, int height) implements Incoming {
    }

    record Fence(int flags, byte[] payload) implements Incoming {
    }

    record SetDesktopSize(int width, int height, int screens) implements Incoming {
    }

    record QemuKeyEvent(boolean down, int keysym, int keycode) implements Incoming {
    }

    record QemuAudio(int operation) implements Incoming {
    }

    private final int maxCutText;
    private byte[] buf = new byte[8192];
    private int start;
    private int end;

    ClientStream(int maxCutText) {
        this.maxCutText = maxCutText;
    }

    void feed(byte[] b, int off, int len) {
        if (end + len > buf.length) {
            int live = end - start;
            byte[] nb = live + len > buf.length ? new byte[Math.max(buf.length * 2, live + len)] : buf;
            System.arraycopy(buf, start, nb, 0, live);
            buf = nb;
            start = 0;
            end = live;
        }
        System.arraycopy(b, off, buf, end, len);
        end += len;
    }

    /** The next complete message, or null until more bytes arrive. */
    Incoming next() throws ProtocolException {
        int avail = end - start;
        if (avail < 1) {
            return null;
        }
        int type = buf[start] & 0xff;
        int len = frameLength(type, avail);
        if (len <= 0 || avail < len) {
            return null;
        }
        ByteBuffer m = ByteBuffer.wrap(buf, start, len);
        Incoming in = switch (type) {
            case 6 -> m.getInt(start + 4) < 0
                    ? new ExtendedClipboard(m.getInt(start + 8), slice(start + 12, len - 12))
                    : new Classic(ClientMessageParser.decode(buf, start, len, maxCutText));
            case ENABLE_CONTINUOUS_UPDATES -> new ContinuousUpdates(buf[start + 1] != 0, m.getShort(start + 2) & 0xffff,
                    m.getShort(start + 4) & 0xffff, m.getShort(start + 6) & 0xffff, m.getShort(start + 8) & 0xffff);
            case FENCE -> new Fence(m.getInt(start + 4), slice(start + 9, len - 9));
            case SET_DESKTOP_SIZE -> new SetDesktopSize(m.getShort(start + 2) & 0xffff,
                    m.getShort(start + 4) & 0xffff, buf[start + 6] & 0xff);
            case QEMU -> buf[start + 1] == 0
                    ? new QemuKeyEvent(m.getShort(start + 2) != 0, m.getInt(start + 4), m.getInt(start + 8))
                    : new QemuAudio(m.getShort(start + 2) & 0xffff);
            default -> new Classic(ClientMessageParser.decode(buf, start, len, maxCutText));
        };
        start += len;
        if (start == end) {
            start = 0;
            end = 0;
        }
        return in;
    }

    private byte[] slice(int from, int n) {
        byte[] out = new byte[n];
        System.arraycopy(buf, from, out, 0, n);
        return out;
    }

    /** The message's length once known from {@code avail} bytes, 0 or less while more are needed. */
    private int frameLength(int type, int avail) throws ProtocolException {
        ByteBuffer b = ByteBuffer.wrap(buf, start, avail);
        switch (type) {
            case 6 -> {
                if (avail < 8) {
                    return -1;
                }
                int n = b.getInt(start + 4);
                if (n >= 0) {
                    return ClientMessageParser.frameLength(buf, start, avail, maxCutText);
                }
                if (n == Integer.MIN_VALUE || -n < 4 || -n > maxCutText) {
                    throw new ProtocolException(4, "extended clipboard length out of range: " + n);
                }
                return 8 - n;
            }
            case ENABLE_CONTINUOUS_UPDATES -> {
                return 10;
            }
            case FENCE -> {
                if (avail < 9) {
                    return -1;
                }
                int n = buf[start + 8] & 0xff;
                if (n > MAX_FENCE_PAYLOAD) {
                    throw new ProtocolException(8, "fence payload too long: " + n);
                }
                return 9 + n;
            }
            case SET_DESKTOP_SIZE -> {
                if (avail < 8) {
                    return -1;
                }
                int screens = buf[start + 6] & 0xff;
                if (screens == 0 || screens > MAX_SCREENS) {
                    throw new ProtocolException(6, "screens out of range: " + screens);
                }
                return 8 + 16 * screens;
            }
            case QEMU -> {
                if (avail < 4) {
                    return -1;
                }
                int sub = buf[start + 1] & 0xff;
                if (sub == 0) {
                    return 12;
                }
                if (sub == 1) {
                    int op = b.getShort(start + 2) & 0xffff;
                    if (op == 0 || op == 1) {
                        return 4;
                    }
                    if (op == 2) {
                        return 10;
                    }
                    throw new ProtocolException(2, "unknown QEMU audio operation " + op);
                }
                throw new ProtocolException(1, "unknown QEMU client message " + sub);
            }
            default -> {
                return ClientMessageParser.frameLength(buf, start, avail, maxCutText);
            }
        }
    }
}
