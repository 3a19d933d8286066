package org.cam.protocol.rfb;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Client-to-server RFB messages: RFC 6143 section 7.5 and the extensions of the community registry (rfbproto) that
 * real clients turn on (extended clipboard, continuous updates, fence, xvp, SetDesktopSize, gii, QEMU). Each record
 * encodes itself; {@link ClientMessageParser} decodes them from a byte stream.
 */
public sealed interface ClientMessage {

    /** Message type numbers. */
    int SET_PIXEL_FORMAT = 0;
    /** SetEncodings. */
    int SET_ENCODINGS = 2;
    /** FramebufferUpdateRequest. */
    int FRAMEBUFFER_UPDATE_REQUEST = 3;
    /** KeyEvent. */
    int KEY_EVENT = 4;
    /** PointerEvent. */
    int POINTER_EVENT = 5;
    /** ClientCutText (a negative length is an extended clipboard message). */
    int CLIENT_CUT_TEXT = 6;
    /** EnableContinuousUpdates. */
    int ENABLE_CONTINUOUS_UPDATES = 150;
    /** ClientFence. */
    int FENCE = 248;
    /** xvp. */
    int XVP = 250;
    /** SetDesktopSize. */
    int SET_DESKTOP_SIZE = 251;
    /** gii. */
    int GII = 253;
    /** QEMU client message; the second byte is the sub-type. */
    int QEMU = 255;
    /** QEMU sub-type: extended key event. */
    int QEMU_EXTENDED_KEY_EVENT = 0;
    /** QEMU sub-type: audio. */
    int QEMU_AUDIO = 1;
    /** Largest fence payload (rfbproto). */
    int MAX_FENCE_PAYLOAD = 64;

    /**
     * What a message does, as far as a relay's policy cares: keeps the protocol going, carries input, carries
     * clipboard, or changes the target itself.
     */
    enum Effect {
        /** Protocol flow: formats, encodings, update requests, fences, continuous updates, audio set-up. */
        FLOW,
        /** Keyboard and pointer (also QEMU extended keys and gii events). */
        INPUT,
        /** Clipboard (plain and extended cut text). */
        CLIPBOARD,
        /** Acts on the target machine or its screen: xvp (shutdown/reboot/reset), SetDesktopSize. */
        TARGET_CONTROL
    }

    /** The message type byte. */
    int type();

    /** The wire bytes. */
    byte[] encode();

    /** What the message does; see {@link Effect}. */
    default Effect effect() {
        return Effect.FLOW;
    }

    /**
     * True for user activity (keys, pointer, clipboard): what keeps a session from its idle timeout. A view-only
     * session drops these and {@link Effect#TARGET_CONTROL} messages.
     */
    default boolean isInput() {
        return effect() == Effect.INPUT || effect() == Effect.CLIPBOARD;
    }

    /** SetPixelFormat: the client wants pixels in this format from now on. */
    record SetPixelFormat(PixelFormat pixelFormat) implements ClientMessage {
        @Override
        public int type() {
            return SET_PIXEL_FORMAT;
        }

        @Override
        public byte[] encode() {
            byte[] b = new byte[20];
            b[0] = SET_PIXEL_FORMAT;
            pixelFormat.encodeTo(b, 4);
            return b;
        }
    }

    /**
     * SetEncodings: the encodings the client understands, in order of preference (signed 32-bit numbers;
     * pseudo-encodings are negative).
     */
    record SetEncodings(List<Integer> encodings) implements ClientMessage {
        public SetEncodings {
            encodings = List.copyOf(encodings);
            if (encodings.size() > 0xffff) {
                throw new IllegalArgumentException("too many encodings");
            }
        }

        @Override
        public int type() {
            return SET_ENCODINGS;
        }

        @Override
        public byte[] encode() {
            byte[] b = new byte[4 + 4 * encodings.size()];
            b[0] = SET_ENCODINGS;
            WireReader.putU16(b, 2, encodings.size());
            for (int i = 0; i < encodings.size(); i++) {
                WireReader.putS32(b, 4 + 4 * i, encodings.get(i));
            }
            return b;
        }
    }

    /** FramebufferUpdateRequest: send this region, all of it or only what changed (incremental). */
    record FramebufferUpdateRequest(boolean incremental, int x, int y, int width, int height)
            implements ClientMessage {
        public FramebufferUpdateRequest {
            checkU16(x, y, width, height);
        }

        @Override
        public int type() {
            return FRAMEBUFFER_UPDATE_REQUEST;
        }

        @Override
        public byte[] encode() {
            byte[] b = new byte[10];
            b[0] = FRAMEBUFFER_UPDATE_REQUEST;
            b[1] = (byte) (incremental ? 1 : 0);
            WireReader.putU16(b, 2, x);
            WireReader.putU16(b, 4, y);
            WireReader.putU16(b, 6, width);
            WireReader.putU16(b, 8, height);
            return b;
        }
    }

    /** KeyEvent: an X11 keysym pressed or released. */
    record KeyEvent(boolean down, int keysym) implements ClientMessage {
        @Override
        public int type() {
            return KEY_EVENT;
        }

        @Override
        public Effect effect() {
            return Effect.INPUT;
        }

        @Override
        public byte[] encode() {
            byte[] b = new byte[8];
            b[0] = KEY_EVENT;
            b[1] = (byte) (down ? 1 : 0);
            WireReader.putS32(b, 4, keysym);
            return b;
        }
    }

    /** PointerEvent: button mask (bit 0 = left) and position. */
    record PointerEvent(int buttonMask, int x, int y) implements ClientMessage {
        public PointerEvent {
            if (buttonMask < 0 || buttonMask > 0xff) {
                throw new IllegalArgumentException("button mask out of range");
            }
            checkU16(x, y);
        }

        @Override
        public int type() {
            return POINTER_EVENT;
        }

        @Override
        public Effect effect() {
            return Effect.INPUT;
        }

        @Override
        public byte[] encode() {
            byte[] b = new byte[6];
            b[0] = POINTER_EVENT;
            b[1] = (byte) buttonMask;
            WireReader.putU16(b, 2, x);
            WireReader.putU16(b, 4, y);
            return b;
        }
    }

    /** ClientCutText: the client's clipboard, Latin-1 text. */
    record ClientCutText(String text) implements ClientMessage {
        @Override
        public int type() {
            return CLIENT_CUT_TEXT;
        }

        @Override
        public Effect effect() {
            return Effect.CLIPBOARD;
        }

        @Override
        public byte[] encode() {
            byte[] t = text.getBytes(StandardCharsets.ISO_8859_1);
            byte[] b = new byte[8 + t.length];
            b[0] = CLIENT_CUT_TEXT;
            WireReader.putS32(b, 4, t.length);
            System.arraycopy(t, 0, b, 8, t.length);
            return b;
        }
    }

    /**
     * Extended clipboard message (ClientCutText with a negative length): {@code flags} (one action bit, format
     * bits; see {@link ExtendedClipboard}) and what follows them (size limits, or zlib data for provide).
     */
    record ExtendedClipboardMessage(int flags, byte[] payload) implements ClientMessage {
        public ExtendedClipboardMessage {
            payload = payload.clone();
        }

        /** Which way this message moves clipboard content. */
        public ExtendedClipboard.Action action() {
            return ExtendedClipboard.action(flags);
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public int type() {
            return CLIENT_CUT_TEXT;
        }

        @Override
        public Effect effect() {
            return Effect.CLIPBOARD;
        }

        @Override
        public byte[] encode() {
            byte[] b = new byte[12 + payload.length];
            b[0] = CLIENT_CUT_TEXT;
            WireReader.putS32(b, 4, -(4 + payload.length));
            WireReader.putS32(b, 8, flags);
            System.arraycopy(payload, 0, b, 12, payload.length);
            return b;
        }
    }

    /** EnableContinuousUpdates: updates of this area without further requests (enable) or stop them. */
    record EnableContinuousUpdates(boolean enable, int x, int y, int width, int height) implements ClientMessage {
        public EnableContinuousUpdates {
            checkU16(x, y, width, height);
        }

        @Override
        public int type() {
            return ENABLE_CONTINUOUS_UPDATES;
        }

        @Override
        public byte[] encode() {
            byte[] b = new byte[10];
            b[0] = (byte) ENABLE_CONTINUOUS_UPDATES;
            b[1] = (byte) (enable ? 1 : 0);
            WireReader.putU16(b, 2, x);
            WireReader.putU16(b, 4, y);
            WireReader.putU16(b, 6, width);
            WireReader.putU16(b, 8, height);
            return b;
        }
    }

    /** ClientFence: a synchronisation point (flags: block before, block after, sync next, request). */
    record ClientFence(int flags, byte[] payload) implements ClientMessage {
        public ClientFence {
            if (payload.length > MAX_FENCE_PAYLOAD) {
                throw new IllegalArgumentException("fence payload over 64 bytes");
            }
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public int type() {
            return FENCE;
        }

        @Override
        public byte[] encode() {
            byte[] b = new byte[9 + payload.length];
            b[0] = (byte) FENCE;
            WireReader.putS32(b, 4, flags);
            b[8] = (byte) payload.length;
            System.arraycopy(payload, 0, b, 9, payload.length);
            return b;
        }
    }

    /** xvp: ask the server to shut down (2), reboot (3) or reset (4) the target. */
    record Xvp(int version, int code) implements ClientMessage {
        public Xvp {
            checkU8(version, code);
        }

        @Override
        public int type() {
            return XVP;
        }

        @Override
        public Effect effect() {
            return Effect.TARGET_CONTROL;
        }

        @Override
        public byte[] encode() {
            return new byte[] {(byte) XVP, 0, (byte) version, (byte) code};
        }
    }

    /** One screen of a SetDesktopSize or ExtendedDesktopSize layout (id and flags are u32 bit patterns). */
    record Screen(int id, int x, int y, int width, int height, int flags) {
        public Screen {
            checkU16(x, y, width, height);
        }
    }

    /** SetDesktopSize: the client asks the target to change its screen size and layout. */
    record SetDesktopSize(int width, int height, List<Screen> screens) implements ClientMessage {
        public SetDesktopSize {
            checkU16(width, height);
            screens = List.copyOf(screens);
            if (screens.size() > 0xff) {
                throw new IllegalArgumentException("too many screens");
            }
        }

        @Override
        public int type() {
            return SET_DESKTOP_SIZE;
        }

        @Override
        public Effect effect() {
            return Effect.TARGET_CONTROL;
        }

        @Override
        public byte[] encode() {
            byte[] b = new byte[8 + 16 * screens.size()];
            b[0] = (byte) SET_DESKTOP_SIZE;
            WireReader.putU16(b, 2, width);
            WireReader.putU16(b, 4, height);
            b[6] = (byte) screens.size();
            for (int i = 0; i < screens.size(); i++) {
                Screen s = screens.get(i);
                int o = 8 + 16 * i;
                WireReader.putS32(b, o, s.id());
                WireReader.putU16(b, o + 4, s.x());
                WireReader.putU16(b, o + 6, s.y());
                WireReader.putU16(b, o + 8, s.width());
                WireReader.putU16(b, o + 10, s.height());
                WireReader.putS32(b, o + 12, s.flags());
            }
            return b;
        }
    }

    /**
     * gii (General Input Interface): sub-type 0 injects events (valuators: tablets, extra axes), 1 version,
     * 2 device creation, 3 device destruction. The length is in the byte order the message announces.
     */
    record Gii(boolean bigEndian, int subType, byte[] payload) implements ClientMessage {
        /** Sub-type: injecting events. */
        public static final int EVENTS = 0;

        public Gii {
            if (subType < 0 || subType > 0x7f || payload.length > 0xffff) {
                throw new IllegalArgumentException("gii sub-type or length out of range");
            }
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public int type() {
            return GII;
        }

        @Override
        public Effect effect() {
            return subType == EVENTS ? Effect.INPUT : Effect.FLOW;
        }

        @Override
        public byte[] encode() {
            byte[] b = new byte[4 + payload.length];
            b[0] = (byte) GII;
            b[1] = (byte) ((bigEndian ? 0x80 : 0) | subType);
            if (bigEndian) {
                WireReader.putU16(b, 2, payload.length);
            } else {
                b[2] = (byte) payload.length;
                b[3] = (byte) (payload.length >>> 8);
            }
            System.arraycopy(payload, 0, b, 4, payload.length);
            return b;
        }
    }

    /** QEMU extended key event: a keysym and the XT scan code, so the target gets the physical key. */
    record QemuExtendedKeyEvent(boolean down, int keysym, int keycode) implements ClientMessage {
        @Override
        public int type() {
            return QEMU;
        }

        @Override
        public Effect effect() {
            return Effect.INPUT;
        }

        @Override
        public byte[] encode() {
            byte[] b = new byte[12];
            b[0] = (byte) QEMU;
            b[1] = QEMU_EXTENDED_KEY_EVENT;
            WireReader.putU16(b, 2, down ? 1 : 0);
            WireReader.putS32(b, 4, keysym);
            WireReader.putS32(b, 8, keycode);
            return b;
        }
    }

    /**
     * QEMU audio: operation 0 enable, 1 disable, 2 set format (sample format 0-5, channels, frequency). It asks
     * for the target's sound; it does not act on the target.
     */
    record QemuAudio(int operation, int sampleFormat, int channels, int frequency) implements ClientMessage {
        /** Enable audio. */
        public static final int ENABLE = 0;
        /** Disable audio. */
        public static final int DISABLE = 1;
        /** Set the sample format. */
        public static final int SET_FORMAT = 2;

        public QemuAudio {
            if (operation < ENABLE || operation > SET_FORMAT) {
                throw new IllegalArgumentException("QEMU audio operation " + operation);
            }
            checkU8(sampleFormat, channels);
        }

        @Override
        public int type() {
            return QEMU;
        }

        @Override
        public byte[] encode() {
            byte[] b = new byte[operation == SET_FORMAT ? 10 : 4];
            b[0] = (byte) QEMU;
            b[1] = QEMU_AUDIO;
            WireReader.putU16(b, 2, operation);
            if (operation == SET_FORMAT) {
                b[4] = (byte) sampleFormat;
                b[5] = (byte) channels;
                WireReader.putS32(b, 6, frequency);
            }
            return b;
        }
    }

    private static void checkU8(int... values) {
        for (int v : values) {
            if (v < 0 || v > 0xff) {
                throw new IllegalArgumentException("value out of u8 range: " + v);
            }
        }
    }

    private static void checkU16(int... values) {
        for (int v : values) {
            if (v < 0 || v > 0xffff) {
                throw new IllegalArgumentException("value out of u16 range: " + v);
            }
        }
    }
}
