package org.cam.protocol.rfb;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Client-to-server RFB messages (RFC 6143 section 7.5). Each record encodes itself; {@link ClientMessageParser}
 * decodes them from a byte stream.
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
    /** ClientCutText. */
    int CLIENT_CUT_TEXT = 6;

    /** The message type byte. */
    int type();

    /** The wire bytes. */
    byte[] encode();

    /**
     * True for messages that act on the target (keys, pointer, clipboard): what a view-only session must drop.
     */
    default boolean isInput() {
        return false;
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
        public boolean isInput() {
            return true;
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
        public boolean isInput() {
            return true;
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
        public boolean isInput() {
            return true;
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

    private static void checkU16(int... values) {
        for (int v : values) {
            if (v < 0 || v > 0xffff) {
                throw new IllegalArgumentException("value out of u16 range: " + v);
            }
        }
    }
}
