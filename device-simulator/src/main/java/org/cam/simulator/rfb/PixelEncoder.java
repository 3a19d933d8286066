package org.cam.simulator.rfb;

import java.io.ByteArrayOutputStream;
import java.util.zip.Deflater;
import org.cam.protocol.rfb.Encodings;
import org.cam.protocol.rfb.PixelFormat;
import org.cam.protocol.rfb.ServerMessages;

/**
 * Writes rectangles of a {@link ChannelScreen} in the viewer's pixel format: Raw, Hextile (solid and raw
 * tiles), ZRLE (RFC 6143 section 7.7.6) with solid, packed-palette and raw tiles in one zlib stream per
 * connection, as the RFC requires, and Tight (rfbproto) without JPEG: fill, palette (stream 1) and copy (stream 0)
 * rectangles, each zlib stream kept for the connection's life as Tight requires.
 */
final class PixelEncoder {

    private static final int HEXTILE_RAW = 1;
    private static final int HEXTILE_BACKGROUND_SPECIFIED = 2;

    private PixelFormat format = PixelFormat.RGB888;
    private int bpp = 4;
    private int cpixelBytes = 3;
    private boolean cpixelLowBytes = true;
    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    private final Deflater[] tightStreams = {new Deflater(Deflater.BEST_SPEED), new Deflater(Deflater.BEST_SPEED)};
    private byte[] deflateBuf = new byte[64 * 1024];

    void setFormat(PixelFormat pf) {
        this.format = pf.equals(PixelFormat.RGB888) ? PixelFormat.RGB888 : pf;
        this.bpp = pf.bytesPerPixel();
        // ZRLE's compact pixel: 3 bytes when a 32 bpp true-colour pixel's colour fits in 3 of its 4 bytes.
        long mask = ((long) pf.redMax() << pf.redShift()) | ((long) pf.greenMax() << pf.greenShift())
                | ((long) pf.blueMax() << pf.blueShift());
        if (pf.bitsPerPixel() == 32 && pf.depth() <= 24 && (mask & 0xff000000L) == 0) {
            cpixelBytes = 3;
            cpixelLowBytes = true;
        } else if (pf.bitsPerPixel() == 32 && pf.depth() <= 24 && (mask & 0xffL) == 0) {
            cpixelBytes = 3;
            cpixelLowBytes = false;
        } else {
            cpixelBytes = bpp;
        }
    }

    void end() {
        deflater.end();
        for (Deflater d : tightStreams) {
            d.end();
        }
    }

    /** Tight's 3-byte TPIXEL needs 32 bpp true colour with 8 bits per channel; other formats get another encoding. */
    boolean tightPossible() {
        return format.bitsPerPixel() == 32 && format.depth() == 24 && format.trueColour() && format.redMax() == 255
                && format.greenMax() == 255 && format.blueMax() == 255;
    }

    /** Appends the pixel value of colour {@code rgb} in the viewer's format. */
    private void pixel(ByteArrayOutputStream out, int rgb) {
        int p = format == PixelFormat.RGB888 ? rgb : format.pixel(rgb);
        writePixel(out, p, bpp, format.bigEndian());
    }

    private void cpixel(ByteArrayOutputStream out, int rgb) {
        int p = format == PixelFormat.RGB888 ? rgb : format.pixel(rgb);
        if (cpixelBytes == bpp) {
            writePixel(out, p, bpp, format.bigEndian());
            return;
        }
        // The 3 bytes that carry colour, in the pixel's byte order.
        int v = cpixelLowBytes ? p : p >>> 8;
        if (format.bigEndian()) {
            out.write(v >>> 16);
            out.write(v >>> 8);
            out.write(v);
        } else {
            out.write(v);
            out.write(v >>> 8);
            out.write(v >>> 16);
        }
    }

    private static void writePixel(ByteArrayOutputStream out, int p, int bytes, boolean bigEndian) {
        if (bytes == 1) {
            out.write(p);
        } else if (bytes == 2) {
            if (bigEndian) {
                out.write(p >>> 8);
                out.write(p);
            } else {
                out.write(p);
                out.write(p >>> 8);
            }
        } else if (bigEndian) {
            out.write(p >>> 24);
            out.write(p >>> 16);
            out.write(p >>> 8);
            out.write(p);
        } else {
            out.write(p);
            out.write(p >>> 8);
            out.write(p >>> 16);
            out.write(p >>> 24);
        }
    }

    /** Rectangle header plus Raw pixels. */
    void raw(ByteArrayOutputStream out, int[] px, int stride, int x, int y, int w, int h) {
        out.writeBytes(new ServerMessages.RectangleHeader(x, y, w, h, Encodings.RAW).encode());
        if (format == PixelFormat.RGB888) {
            byte[] row = new byte[w * 4];
            for (int yy = y; yy < y + h; yy++) {
                int o = yy * stride + x;
                for (int i = 0; i < w; i++) {
                    int p = px[o + i];
                    row[i * 4] = (byte) p;
                    row[i * 4 + 1] = (byte) (p >>> 8);
                    row[i * 4 + 2] = (byte) (p >>> 16);
                    row[i * 4 + 3] = 0;
                }
                out.write(row, 0, row.length);
            }
            return;
        }
        for (int yy = y; yy < y + h; yy++) {
            for (int xx = x; xx < x + w; xx++) {
                pixel(out, px[yy * stride + xx]);
            }
        }
    }

    /**
     * Rectangle header plus Hextile data: 16x16 tiles, each either one background colour (subencoding
     * BackgroundSpecified) or raw pixels. Enough to shrink the large uniform areas of a test screen, and
     * what older stock clients such as vncsnapshot understand.
     */
    void hextile(ByteArrayOutputStream out, int[] px, int stride, int x, int y, int w, int h) {
        out.writeBytes(new ServerMessages.RectangleHeader(x, y, w, h, Encodings.HEXTILE).encode());
        for (int ty = y; ty < y + h; ty += 16) {
            int th = Math.min(16, y + h - ty);
            for (int tx = x; tx < x + w; tx += 16) {
                int tw = Math.min(16, x + w - tx);
                int first = px[ty * stride + tx];
                boolean solid = true;
                for (int yy = ty; yy < ty + th && solid; yy++) {
                    for (int xx = tx; xx < tx + tw; xx++) {
                        if (px[yy * stride + xx] != first) {
                            solid = false;
                            break;
                        }
                    }
                }
                if (solid) {
                    out.write(HEXTILE_BACKGROUND_SPECIFIED);
                    pixel(out, first);
                } else {
                    out.write(HEXTILE_RAW);
                    for (int yy = ty; yy < ty + th; yy++) {
                        for (int xx = tx; xx < tx + tw; xx++) {
                            pixel(out, px[yy * stride + xx]);
                        }
                    }
                }
            }
        }
    }

    /** Rectangle header plus a CopyRect from (sx, sy). */
    void copyRect(ByteArrayOutputStream out, int x, int y, int w, int h, int sx, int sy) {
        out.writeBytes(new ServerMessages.RectangleHeader(x, y, w, h, Encodings.COPY_RECT).encode());
        out.writeBytes(ServerMessages.copyRect(sx, sy));
    }

    /** Rectangle header plus ZRLE data (length-prefixed zlib bytes). */
    void zrle(ByteArrayOutputStream out, int[] px, int stride, int x, int y, int w, int h) {
        ByteArrayOutputStream tiles = new ByteArrayOutputStream(w * h);
        int[] palette = new int[16];
        for (int ty = y; ty < y + h; ty += 64) {
            int th = Math.min(64, y + h - ty);
            for (int tx = x; tx < x + w; tx += 64) {
                int tw = Math.min(64, x + w - tx);
                int n = palette(px, stride, tx, ty, tw, th, palette);
                if (n == 1) {
                    tiles.write(1);
                    cpixel(tiles, palette[0]);
                } else if (n > 0) {
                    tiles.write(n);
                    for (int i = 0; i < n; i++) {
                        cpixel(tiles, palette[i]);
                    }
                    int bits = n == 2 ? 1 : n <= 4 ? 2 : 4;
                    for (int yy = ty; yy < ty + th; yy++) {
                        int acc = 0;
                        int used = 0;
                        for (int xx = tx; xx < tx + tw; xx++) {
                            int idx = indexOf(palette, n, px[yy * stride + xx]);
                            acc = (acc << bits) | idx;
                            used += bits;
                            if (used == 8) {
                                tiles.write(acc);
                                acc = 0;
                                used = 0;
                            }
                        }
                        if (used > 0) {
                            tiles.write(acc << (8 - used));
                        }
                    }
                } else {
                    tiles.write(0);
                    for (int yy = ty; yy < ty + th; yy++) {
                        for (int xx = tx; xx < tx + tw; xx++) {
                            cpixel(tiles, px[yy * stride + xx]);
                        }
                    }
                }
            }
        }
        byte[] input = tiles.toByteArray();
        deflater.setInput(input);
        ByteArrayOutputStream z = new ByteArrayOutputStream(input.length / 4 + 64);
        int n;
        do {
            n = deflater.deflate(deflateBuf, 0, deflateBuf.length, Deflater.SYNC_FLUSH);
            z.write(deflateBuf, 0, n);
        } while (n == deflateBuf.length);
        out.writeBytes(new ServerMessages.RectangleHeader(x, y, w, h, Encodings.ZRLE).encode());
        int len = z.size();
        out.write(len >>> 24);
        out.write(len >>> 16);
        out.write(len >>> 8);
        out.write(len);
        out.writeBytes(z.toByteArray());
    }

    /** Rectangle header plus Tight data: fill when solid, palette filter up to 16 colours, else the copy filter. */
    void tight(ByteArrayOutputStream out, int[] px, int stride, int x, int y, int w, int h) {
        out.writeBytes(new ServerMessages.RectangleHeader(x, y, w, h, Encodings.TIGHT).encode());
        int[] palette = new int[16];
        int n = palette(px, stride, x, y, w, h, palette);
        if (n == 1) {
            out.write(0x80);
            tpixel(out, palette[0]);
            return;
        }
        ByteArrayOutputStream data = new ByteArrayOutputStream(w * h);
        if (n >= 2) {
            out.write(0x50); // stream 1, a filter id follows
            out.write(1); // palette filter
            out.write(n - 1);
            for (int i = 0; i < n; i++) {
                tpixel(out, palette[i]);
            }
            for (int yy = y; yy < y + h; yy++) {
                int acc = 0;
                int used = 0;
                for (int xx = x; xx < x + w; xx++) {
                    int idx = indexOf(palette, n, px[yy * stride + xx]);
                    if (n > 2) {
                        data.write(idx);
                        continue;
                    }
                    acc = (acc << 1) | idx;
                    if (++used == 8) {
                        data.write(acc);
                        acc = 0;
                        used = 0;
                    }
                }
                if (n == 2 && used > 0) {
                    data.write(acc << (8 - used));
                }
            }
            tightData(out, tightStreams[1], data.toByteArray());
        } else {
            out.write(0x00); // stream 0, copy filter
            for (int yy = y; yy < y + h; yy++) {
                for (int xx = x; xx < x + w; xx++) {
                    tpixel(data, px[yy * stride + xx]);
                }
            }
            tightData(out, tightStreams[0], data.toByteArray());
        }
    }

    private void tpixel(ByteArrayOutputStream out, int rgb) {
        out.write(rgb >>> 16);
        out.write(rgb >>> 8);
        out.write(rgb);
    }

    /** Fewer than 12 bytes go uncompressed; else the stream's zlib output behind a compact length. */
    private void tightData(ByteArrayOutputStream out, Deflater stream, byte[] data) {
        if (data.length < 12) {
            out.writeBytes(data);
            return;
        }
        stream.setInput(data);
        ByteArrayOutputStream z = new ByteArrayOutputStream(data.length / 4 + 64);
        int n;
        do {
            n = stream.deflate(deflateBuf, 0, deflateBuf.length, Deflater.SYNC_FLUSH);
            z.write(deflateBuf, 0, n);
        } while (n == deflateBuf.length);
        int len = z.size();
        out.write((len & 0x7f) | (len > 0x7f ? 0x80 : 0));
        if (len > 0x7f) {
            out.write(((len >> 7) & 0x7f) | (len > 0x3fff ? 0x80 : 0));
            if (len > 0x3fff) {
                out.write(len >> 14);
            }
        }
        out.writeBytes(z.toByteArray());
    }

    /** Distinct colours of a tile if at most 16, else 0. */
    private static int palette(int[] px, int stride, int x, int y, int w, int h, int[] pal) {
        int n = 0;
        for (int yy = y; yy < y + h; yy++) {
            int o = yy * stride;
            for (int xx = x; xx < x + w; xx++) {
                int c = px[o + xx];
                if (indexOf(pal, n, c) < 0) {
                    if (n == 16) {
                        return 0;
                    }
                    pal[n++] = c;
                }
            }
        }
        return n;
    }

    private static int indexOf(int[] pal, int n, int c) {
        for (int i = 0; i < n; i++) {
            if (pal[i] == c) {
                return i;
            }
        }
        return -1;
    }
}
