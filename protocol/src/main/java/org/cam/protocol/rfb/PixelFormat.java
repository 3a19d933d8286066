package org.cam.protocol.rfb;

import org.cam.protocol.ProtocolException;

/**
 * The RFB PIXEL_FORMAT structure (RFC 6143 section 7.4): 16 bytes, the last 3 padding.
 *
 * @param bitsPerPixel 8, 16 or 32
 * @param depth        useful bits per pixel
 * @param bigEndian    byte order of multi-byte pixels
 * @param trueColour   true colour (colour maps are not supported by CAM and rejected by {@link #decode})
 * @param redMax       maximum red value (2^n - 1)
 * @param greenMax     maximum green value
 * @param blueMax      maximum blue value
 * @param redShift     shift of red within a pixel value
 * @param greenShift   shift of green
 * @param blueShift    shift of blue
 */
public record PixelFormat(int bitsPerPixel, int depth, boolean bigEndian, boolean trueColour, int redMax,
                          int greenMax, int blueMax, int redShift, int greenShift, int blueShift) {

    /** Length on the wire. */
    public static final int LENGTH = 16;

    /** 32 bpp, depth 24, little endian, 8 bits per colour: the format our servers announce. */
    public static final PixelFormat RGB888 = new PixelFormat(32, 24, false, true, 255, 255, 255, 16, 8, 0);

    public PixelFormat {
        if (bitsPerPixel != 8 && bitsPerPixel != 16 && bitsPerPixel != 32) {
            throw new IllegalArgumentException("bits per pixel must be 8, 16 or 32");
        }
        if (depth < 1 || depth > 32 || redMax < 0 || redMax > 0xffff || greenMax < 0 || greenMax > 0xffff
                || blueMax < 0 || blueMax > 0xffff || redShift < 0 || redShift > 31 || greenShift < 0
                || greenShift > 31 || blueShift < 0 || blueShift > 31) {
            throw new IllegalArgumentException("pixel format field out of range");
        }
    }

    /** Bytes per pixel. */
    public int bytesPerPixel() {
        return bitsPerPixel / 8;
    }

    /** Writes the 16 bytes at {@code off}. */
    public void encodeTo(byte[] b, int off) {
        b[off] = (byte) bitsPerPixel;
        b[off + 1] = (byte) depth;
        b[off + 2] = (byte) (bigEndian ? 1 : 0);
        b[off + 3] = (byte) (trueColour ? 1 : 0);
        WireReader.putU16(b, off + 4, redMax);
        WireReader.putU16(b, off + 6, greenMax);
        WireReader.putU16(b, off + 8, blueMax);
        b[off + 10] = (byte) redShift;
        b[off + 11] = (byte) greenShift;
        b[off + 12] = (byte) blueShift;
        b[off + 13] = 0;
        b[off + 14] = 0;
        b[off + 15] = 0;
    }

    /** The 16 wire bytes. */
    public byte[] encode() {
        byte[] b = new byte[LENGTH];
        encodeTo(b, 0);
        return b;
    }

    /**
     * Decodes 16 bytes at {@code off}; offsets in exceptions are relative to {@code off}.
     *
     * @throws ProtocolException for truncation, a bpp other than 8/16/32, colour-map formats or bad shifts
     */
    public static PixelFormat decode(byte[] b, int off, int len) throws ProtocolException {
        WireReader r = new WireReader(b, off, Math.min(len, LENGTH));
        int bpp = r.u8();
        int depth = r.u8();
        int be = r.u8();
        int tc = r.u8();
        int rm = r.u16();
        int gm = r.u16();
        int bm = r.u16();
        int rs = r.u8();
        int gs = r.u8();
        int bs = r.u8();
        r.skip(3);
        if (bpp != 8 && bpp != 16 && bpp != 32) {
            throw new ProtocolException(0, "bits per pixel must be 8, 16 or 32: " + bpp);
        }
        if (tc == 0) {
            throw new ProtocolException(3, "colour-map pixel formats are not supported");
        }
        if (depth == 0 || depth > 32) {
            throw new ProtocolException(1, "bad depth " + depth);
        }
        if (rs > 31 || gs > 31 || bs > 31) {
            throw new ProtocolException(10, "colour shift out of range");
        }
        return new PixelFormat(bpp, depth, be != 0, true, rm, gm, bm, rs, gs, bs);
    }

    /** Converts a 0xRRGGBB colour to a pixel value in this format. */
    public int pixel(int rgb) {
        int r = (rgb >>> 16) & 0xff;
        int g = (rgb >>> 8) & 0xff;
        int bl = rgb & 0xff;
        return ((r * redMax + 127) / 255 << redShift) | ((g * greenMax + 127) / 255 << greenShift)
                | ((bl * blueMax + 127) / 255 << blueShift);
    }

    /** Converts a pixel value in this format back to 0xRRGGBB (approximately, for reduced formats). */
    public int rgb(int pixel) {
        int r = redMax == 0 ? 0 : ((pixel >>> redShift) & redMax) * 255 / redMax;
        int g = greenMax == 0 ? 0 : ((pixel >>> greenShift) & greenMax) * 255 / greenMax;
        int bl = blueMax == 0 ? 0 : ((pixel >>> blueShift) & blueMax) * 255 / blueMax;
        return (r << 16) | (g << 8) | bl;
    }
}
