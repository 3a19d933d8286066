package org.cam.protocol.rfb;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Builds server-to-client streams message by message, remembering where each ends and what it is: the expected
 * answer for {@link ServerMessageFramer}. Payloads are structurally valid (lengths, tiles, sub-rectangles) with
 * random content, the way the framer sees them: it never looks at pixels.
 */
final class ServerStreams {

    /** A message's end offset and kind. */
    record Boundary(long end, ServerMessageFramer.Kind kind) {
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Boundary> boundaries = new ArrayList<>();
    private final Random rnd;

    ServerStreams(long seed) {
        rnd = new Random(seed);
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    List<Boundary> boundaries() {
        return boundaries;
    }

    private ServerStreams message(byte[] b, ServerMessageFramer.Kind kind) {
        out.writeBytes(b);
        boundaries.add(new Boundary(out.size(), kind));
        return this;
    }

    // ---- messages ---------------------------------------------------------------------------------------

    ServerStreams update(byte[]... rects) {
        return update(rects.length, rects);
    }

    ServerStreams update(int count, byte[]... rects) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(ServerMessages.framebufferUpdateHeader(count));
        for (byte[] r : rects) {
            b.writeBytes(r);
        }
        return message(b.toByteArray(), ServerMessageFramer.Kind.FRAMEBUFFER_UPDATE);
    }

    ServerStreams colourMap(int n) {
        byte[] b = new byte[6 + 6 * n];
        b[0] = 1;
        WireReader.putU16(b, 2, 3);
        WireReader.putU16(b, 4, n);
        return message(b, ServerMessageFramer.Kind.SET_COLOUR_MAP_ENTRIES);
    }

    ServerStreams bell() {
        return message(ServerMessages.bell(), ServerMessageFramer.Kind.BELL);
    }

    ServerStreams cutText(String s) {
        return message(ServerMessages.serverCutText(s), ServerMessageFramer.Kind.CUT_TEXT);
    }

    ServerStreams extendedClipboard(int flags, int payload) {
        byte[] b = new byte[12 + payload];
        b[0] = 3;
        WireReader.putS32(b, 4, -(4 + payload));
        WireReader.putS32(b, 8, flags);
        fill(b, 12);
        return message(b, ServerMessageFramer.Kind.EXTENDED_CLIPBOARD);
    }

    ServerStreams endOfContinuousUpdates() {
        return message(new byte[] {(byte) 150}, ServerMessageFramer.Kind.END_OF_CONTINUOUS_UPDATES);
    }

    ServerStreams fence(int payload) {
        byte[] b = new byte[9 + payload];
        b[0] = (byte) 248;
        WireReader.putS32(b, 4, 0x80000002);
        b[8] = (byte) payload;
        fill(b, 9);
        return message(b, ServerMessageFramer.Kind.FENCE);
    }

    ServerStreams xvp(int code) {
        return message(new byte[] {(byte) 250, 0, 1, (byte) code}, ServerMessageFramer.Kind.XVP);
    }

    ServerStreams gii(boolean bigEndian, int payload) {
        byte[] b = new byte[4 + payload];
        b[0] = (byte) 253;
        b[1] = (byte) ((bigEndian ? 0x80 : 0) | 1);
        if (bigEndian) {
            WireReader.putU16(b, 2, payload);
        } else {
            b[2] = (byte) payload;
            b[3] = (byte) (payload >>> 8);
        }
        return message(b, ServerMessageFramer.Kind.GII);
    }

    ServerStreams qemuAudio(int op, int data) {
        byte[] b = new byte[op == 2 ? 8 + data : 4];
        b[0] = (byte) 255;
        b[1] = 1;
        WireReader.putU16(b, 2, op);
        if (op == 2) {
            WireReader.putS32(b, 4, data);
            fill(b, 8);
        }
        return message(b, ServerMessageFramer.Kind.QEMU_AUDIO);
    }

    // ---- rectangles ---------------------------------------------------------------------------------------

    static byte[] header(int w, int h, int encoding) {
        return new ServerMessages.RectangleHeader(0, 0, w, h, encoding).encode();
    }

    byte[] raw(int w, int h, int bpp) {
        return rect(header(w, h, Encodings.RAW), w * h * bpp);
    }

    byte[] copyRect() {
        return rect(header(10, 10, Encodings.COPY_RECT), 4);
    }

    byte[] rre(int subrects, int bpp, boolean compact) {
        byte[] r = rect(header(40, 40, compact ? Encodings.CORRE : Encodings.RRE), 4 + bpp
                + subrects * (bpp + (compact ? 4 : 8)));
        WireReader.putS32(r, 12, subrects);
        return r;
    }

    byte[] hextile(int w, int h, int bpp) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(header(w, h, Encodings.HEXTILE));
        for (int y = 0; y < h; y += 16) {
            for (int x = 0; x < w; x += 16) {
                int tw = Math.min(16, w - x);
                int th = Math.min(16, h - y);
                int[] kinds = {1, 0, 2, 2 | 4, 2 | 8, 2 | 4 | 8, 8 | 16, 2 | 8 | 16, 1 | 8 | 16};
                int sub = kinds[rnd.nextInt(kinds.length)];
                b.write(sub);
                if ((sub & 1) != 0) {
                    b.writeBytes(random(tw * th * bpp));
                    continue;
                }
                if ((sub & 2) != 0) {
                    b.writeBytes(random(bpp));
                }
                if ((sub & 4) != 0) {
                    b.writeBytes(random(bpp));
                }
                if ((sub & 8) != 0) {
                    int n = rnd.nextInt(6);
                    b.write(n);
                    b.writeBytes(random(n * ((sub & 16) != 0 ? bpp + 2 : 2)));
                }
            }
        }
        return b.toByteArray();
    }

    byte[] u32Data(int encoding, int len) {
        byte[] r = rect(header(64, 64, encoding), 4 + len);
        WireReader.putS32(r, 12, len);
        return r;
    }

    /** Tight fill: one TPIXEL. */
    byte[] tightFill(int tpixel) {
        byte[] r = rect(header(100, 50, Encodings.TIGHT), 1 + tpixel);
        r[12] = (byte) 0x80;
        return r;
    }

    /** Tight JPEG (or PNG with TightPNG) with a compact length. */
    byte[] tightCompressed(int encoding, int method, int len) {
        byte[] c = compact(len);
        byte[] r = rect(header(100, 50, encoding), 1 + c.length + len);
        r[12] = (byte) (method << 4);
        System.arraycopy(c, 0, r, 13, c.length);
        return r;
    }

    /** Tight basic, copy filter (implicit or explicit), raw when under 12 bytes. */
    byte[] tightCopy(int w, int h, int tpixel, boolean explicitFilter, int compressedLength) {
        int data = w * h * tpixel;
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(header(w, h, Encodings.TIGHT));
        b.write(explicitFilter ? 0x40 | 0x10 : 0x20);
        if (explicitFilter) {
            b.write(0);
        }
        writeData(b, data, compressedLength);
        return b.toByteArray();
    }

    byte[] tightGradient(int w, int h, int tpixel, int compressedLength) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(header(w, h, Encodings.TIGHT));
        b.write(0x40);
        b.write(2);
        writeData(b, w * h * tpixel, compressedLength);
        return b.toByteArray();
    }

    byte[] tightPalette(int w, int h, int colours, int tpixel, int compressedLength) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(header(w, h, Encodings.TIGHT));
        b.write(0x40 | 0x30);
        b.write(1);
        b.write(colours - 1);
        b.writeBytes(random(colours * tpixel));
        writeData(b, colours == 2 ? (w + 7) / 8 * h : w * h, compressedLength);
        return b.toByteArray();
    }

    private void writeData(ByteArrayOutputStream b, int data, int compressedLength) {
        if (data < 12) {
            b.writeBytes(random(data));
        } else {
            b.writeBytes(compact(compressedLength));
            b.writeBytes(random(compressedLength));
        }
    }

    byte[] cursor(int w, int h, int bpp) {
        return rect(header(w, h, Encodings.CURSOR), w * h * bpp + (w + 7) / 8 * h);
    }

    byte[] xCursor(int w, int h) {
        return rect(header(w, h, Encodings.X_CURSOR), w * h == 0 ? 0 : 6 + 2 * ((w + 7) / 8) * h);
    }

    byte[] extendedDesktopSize(int screens) {
        byte[] r = rect(header(1024, 768, Encodings.EXTENDED_DESKTOP_SIZE), 4 + 16 * screens);
        r[12] = (byte) screens;
        return r;
    }

    byte[] empty(int encoding) {
        return header(1024, 768, encoding);
    }

    byte[] ledState() {
        return rect(header(0, 0, Encodings.QEMU_LED_STATE), 1);
    }

    static byte[] compact(int len) {
        if (len < 0x80) {
            return new byte[] {(byte) len};
        }
        if (len < 0x4000) {
            return new byte[] {(byte) (len & 0x7f | 0x80), (byte) (len >> 7)};
        }
        return new byte[] {(byte) (len & 0x7f | 0x80), (byte) ((len >> 7) & 0x7f | 0x80), (byte) (len >> 14)};
    }

    private byte[] rect(byte[] header, int payload) {
        byte[] r = new byte[12 + payload];
        System.arraycopy(header, 0, r, 0, 12);
        fill(r, 12);
        return r;
    }

    private byte[] random(int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    private void fill(byte[] b, int from) {
        for (int i = from; i < b.length; i++) {
            b[i] = (byte) rnd.nextInt(256);
        }
    }
}
