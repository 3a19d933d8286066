package org.cam.protocol.rfb;

import java.nio.charset.StandardCharsets;
import org.cam.protocol.ProtocolException;

/**
 * Server-to-client RFB messages (RFC 6143 section 7.6): FramebufferUpdate headers, Bell and ServerCutText.
 * Rectangle payloads depend on the encoding and are written by the encoder that produced them.
 */
public final class ServerMessages {

    /** FramebufferUpdate. */
    public static final int FRAMEBUFFER_UPDATE = 0;
    /** SetColourMapEntries (never sent by CAM). */
    public static final int SET_COLOUR_MAP_ENTRIES = 1;
    /** Bell. */
    public static final int BELL = 2;
    /** ServerCutText. */
    public static final int SERVER_CUT_TEXT = 3;

    private ServerMessages() {
    }

    /**
     * One rectangle's header inside a FramebufferUpdate.
     *
     * @param x        left
     * @param y        top
     * @param width    width
     * @param height   height
     * @param encoding encoding number, see {@link Encodings}
     */
    public record RectangleHeader(int x, int y, int width, int height, int encoding) {

        /** Length on the wire. */
        public static final int LENGTH = 12;

        public RectangleHeader {
            if (x < 0 || x > 0xffff || y < 0 || y > 0xffff || width < 0 || width > 0xffff || height < 0
                    || height > 0xffff) {
                throw new IllegalArgumentException("rectangle out of u16 range");
            }
        }

        /** Writes the 12 bytes at {@code off}. */
        public void encodeTo(byte[] b, int off) {
            WireReader.putU16(b, off, x);
            WireReader.putU16(b, off + 2, y);
            WireReader.putU16(b, off + 4, width);
            WireReader.putU16(b, off + 6, height);
            WireReader.putS32(b, off + 8, encoding);
        }

        /** The 12 wire bytes. */
        public byte[] encode() {
            byte[] b = new byte[LENGTH];
            encodeTo(b, 0);
            return b;
        }

        /** Decodes 12 bytes at {@code off}. */
        public static RectangleHeader decode(byte[] b, int off, int len) throws ProtocolException {
            WireReader r = new WireReader(b, off, Math.min(len, LENGTH));
            return new RectangleHeader(r.u16(), r.u16(), r.u16(), r.u16(), r.s32());
        }
    }

    /** The 4-byte FramebufferUpdate header announcing {@code rectangles} rectangles. */
    public static byte[] framebufferUpdateHeader(int rectangles) {
        if (rectangles < 0 || rectangles > 0xffff) {
            throw new IllegalArgumentException("rectangle count out of range");
        }
        byte[] b = new byte[4];
        b[0] = FRAMEBUFFER_UPDATE;
        WireReader.putU16(b, 2, rectangles);
        return b;
    }

    /** Number of rectangles in a FramebufferUpdate header at {@code off}. */
    public static int decodeFramebufferUpdateHeader(byte[] b, int off, int len) throws ProtocolException {
        WireReader r = new WireReader(b, off, Math.min(len, 4));
        int type = r.u8();
        if (type != FRAMEBUFFER_UPDATE) {
            throw new ProtocolException(0, "not a framebuffer update: " + type);
        }
        r.skip(1);
        return r.u16();
    }

    /** The payload of a CopyRect rectangle: source position. */
    public static byte[] copyRect(int srcX, int srcY) {
        byte[] b = new byte[4];
        WireReader.putU16(b, 0, srcX);
        WireReader.putU16(b, 2, srcY);
        return b;
    }

    /** A Bell message. */
    public static byte[] bell() {
        return new byte[] {BELL};
    }

    /** A ServerCutText message with Latin-1 text. */
    public static byte[] serverCutText(String text) {
        byte[] t = text.getBytes(StandardCharsets.ISO_8859_1);
        byte[] b = new byte[8 + t.length];
        b[0] = SERVER_CUT_TEXT;
        WireReader.putS32(b, 4, t.length);
        System.arraycopy(t, 0, b, 8, t.length);
        return b;
    }
}
