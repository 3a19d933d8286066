package org.cam.protocol.rfb;

/**
 * RFB encoding numbers (RFC 6143 section 7.7 and the community registry, rfbproto). Pseudo-encodings are
 * negative (or vendor numbers); a client lists them in SetEncodings to say it understands an extension.
 */
public final class Encodings {

    /** Raw pixels, row by row. */
    public static final int RAW = 0;
    /** Copy a rectangle from elsewhere in the framebuffer. */
    public static final int COPY_RECT = 1;
    /** Rise-and-run-length encoding. */
    public static final int RRE = 2;
    /** Compact RRE: sub-rectangles with 8-bit positions. */
    public static final int CORRE = 4;
    /** Hextile: 16x16 tiles with sub-rectangles. */
    public static final int HEXTILE = 5;
    /** zlib-compressed raw pixels behind a u32 length. */
    public static final int ZLIB = 6;
    /** Tight: zlib or JPEG with filters, compact lengths. */
    public static final int TIGHT = 7;
    /** ZlibHex (libvncserver). */
    public static final int ZLIB_HEX = 8;
    /** TRLE: 16x16 tiles, palettes and runs, no zlib. */
    public static final int TRLE = 15;
    /** zlib-compressed 64x64 tiles with palettes and runs. */
    public static final int ZRLE = 16;
    /** ZRLE with wavelet pre-processing; framed like ZRLE. */
    public static final int ZYWRLE = 17;
    /** JPEG (libvncserver). */
    public static final int JPEG = 21;
    /** H.264 (libvncserver/UltraVNC). */
    public static final int H264 = 50;

    /** Tight quality levels (JPEG), -32 (worst) .. -23 (best). */
    public static final int JPEG_QUALITY_FIRST = -32;
    /** Last JPEG quality level. */
    public static final int JPEG_QUALITY_LAST = -23;
    /** Pseudo-encoding: the client accepts a new framebuffer size. */
    public static final int DESKTOP_SIZE = -223;
    /** Pseudo-encoding: a rectangle that ends the update early. */
    public static final int LAST_RECT = -224;
    /** Pseudo-encoding: the server tells where the pointer is. */
    public static final int POINTER_POS = -232;
    /** Pseudo-encoding: the client draws the cursor locally (pixels and mask). */
    public static final int CURSOR = -239;
    /** Pseudo-encoding: X-style two-colour cursor. */
    public static final int X_CURSOR = -240;
    /** Tight compression levels, -256 .. -247. */
    public static final int COMPRESS_LEVEL_FIRST = -256;
    /** Last compression level. */
    public static final int COMPRESS_LEVEL_LAST = -247;
    /** QEMU: pointer motion change (absolute/relative). */
    public static final int QEMU_POINTER_MOTION_CHANGE = -257;
    /** QEMU: extended key events (client message 255/0). */
    public static final int QEMU_EXTENDED_KEY_EVENT = -258;
    /** QEMU: audio (client message 255/1, server message 255/1). */
    public static final int QEMU_AUDIO = -259;
    /** TightPNG: Tight with PNG instead of JPEG/basic. */
    public static final int TIGHT_PNG = -260;
    /** QEMU: keyboard LED state (1-byte rectangle). */
    public static final int QEMU_LED_STATE = -261;
    /** gii: General Input Interface (client and server message 253). */
    public static final int GII = -305;
    /** The server sends its desktop name on change. */
    public static final int DESKTOP_NAME = -307;
    /** Screen layout and SetDesktopSize (client message 251). */
    public static final int EXTENDED_DESKTOP_SIZE = -308;
    /** xvp: shutdown, reboot, reset (client and server message 250). */
    public static final int XVP = -309;
    /** Fence (client and server message 248). */
    public static final int FENCE = -312;
    /** Continuous updates (client message 150, server message 150). */
    public static final int CONTINUOUS_UPDATES = -313;
    /** Cursor with alpha channel. */
    public static final int CURSOR_WITH_ALPHA = -314;
    /** Extended mouse buttons: changes the PointerEvent's length. */
    public static final int EXTENDED_MOUSE_BUTTONS = -316;
    /** Tight JPEG fine quality, -512 .. -412. */
    public static final int FINE_QUALITY_FIRST = -512;
    /** Last fine quality level. */
    public static final int FINE_QUALITY_LAST = -412;
    /** Tight JPEG chroma subsampling, -768 .. -763. */
    public static final int SUBSAMPLING_FIRST = -768;
    /** Last subsampling level. */
    public static final int SUBSAMPLING_LAST = -763;
    /** Extended clipboard: negative-length cut text messages both ways (0xC0A1E5CE). */
    public static final int EXTENDED_CLIPBOARD = 0xC0A1E5CE;

    private Encodings() {
    }

    /** A readable name for logs. */
    public static String name(int encoding) {
        switch (encoding) {
            case RAW: return "Raw";
            case COPY_RECT: return "CopyRect";
            case RRE: return "RRE";
            case CORRE: return "CoRRE";
            case HEXTILE: return "Hextile";
            case ZLIB: return "zlib";
            case TIGHT: return "Tight";
            case TRLE: return "TRLE";
            case ZRLE: return "ZRLE";
            case ZYWRLE: return "ZYWRLE";
            case DESKTOP_SIZE: return "DesktopSize";
            case LAST_RECT: return "LastRect";
            case CURSOR: return "Cursor";
            case X_CURSOR: return "XCursor";
            case EXTENDED_DESKTOP_SIZE: return "ExtendedDesktopSize";
            case DESKTOP_NAME: return "DesktopName";
            case FENCE: return "Fence";
            case CONTINUOUS_UPDATES: return "ContinuousUpdates";
            case XVP: return "xvp";
            case GII: return "gii";
            case QEMU_EXTENDED_KEY_EVENT: return "QEMUExtendedKeyEvent";
            case QEMU_AUDIO: return "QEMUAudio";
            case EXTENDED_CLIPBOARD: return "ExtendedClipboard";
            default: return "encoding(" + encoding + ")";
        }
    }
}
