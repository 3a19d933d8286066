package org.cam.protocol.rfb;

/** RFB encoding numbers (RFC 6143 section 7.7 and the IANA registry). Pseudo-encodings are negative. */
public final class Encodings {

    /** Raw pixels, row by row. */
    public static final int RAW = 0;
    /** Copy a rectangle from elsewhere in the framebuffer. */
    public static final int COPY_RECT = 1;
    /** Rise-and-run-length encoding. */
    public static final int RRE = 2;
    /** Hextile: 16x16 tiles with sub-rectangles. */
    public static final int HEXTILE = 5;
    /** Tight (not implemented by CAM; named because clients announce it). */
    public static final int TIGHT = 7;
    /** zlib-compressed 64x64 tiles with palettes and runs. */
    public static final int ZRLE = 16;
    /** Pseudo-encoding: the client accepts a new framebuffer size. */
    public static final int DESKTOP_SIZE = -223;
    /** Pseudo-encoding: the client draws the cursor locally. */
    public static final int CURSOR = -239;
    /** Pseudo-encoding: extended desktop size. */
    public static final int EXTENDED_DESKTOP_SIZE = -308;

    private Encodings() {
    }

    /** A readable name for logs. */
    public static String name(int encoding) {
        switch (encoding) {
            case RAW: return "Raw";
            case COPY_RECT: return "CopyRect";
            case RRE: return "RRE";
            case HEXTILE: return "Hextile";
            case TIGHT: return "Tight";
            case ZRLE: return "ZRLE";
            case DESKTOP_SIZE: return "DesktopSize";
            case CURSOR: return "Cursor";
            case EXTENDED_DESKTOP_SIZE: return "ExtendedDesktopSize";
            default: return "encoding(" + encoding + ")";
        }
    }
}
