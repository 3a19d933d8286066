package org.cam.protocol.rfb;

import java.nio.ByteBuffer;
import org.cam.protocol.ProtocolException;

/**
 * Finds the message boundaries in the server-to-client RFB stream without copying or decoding pixels: it reads
 * headers and lengths and skips payloads. Feed it the bytes as they arrive ({@link #advance}); it stops at each
 * message end, so a relay can cut its buffers there (to drop one message, such as a cut text, or to mark a point a
 * recording can start from).
 *
 * <p>Messages: FramebufferUpdate (0), SetColourMapEntries (1), Bell (2), ServerCutText (3, negative length =
 * extended clipboard), EndOfContinuousUpdates (150), ServerFence (248), xvp (250), gii (253), QEMU audio (255/1).
 * Rectangles: Raw, CopyRect, RRE, CoRRE, Hextile, zlib, Tight and TightPNG (compact lengths), ZRLE and ZYWRLE (u32
 * length), and the pseudo-encodings of {@link RelayEncodings}. Raw, RRE, CoRRE, Hextile, Tight and the cursor depend
 * on the pixel format, so the framer follows the client's SetPixelFormat ({@link #pixelFormat}).
 *
 * <p>Anything else (an unknown message type, a rectangle encoding nobody asked for, an impossible length) is a
 * {@link ProtocolException} and the framer is then unusable: the caller closes the connection.
 */
public final class ServerMessageFramer {

    /** What a message is, as far as a relay's policy cares. */
    public enum Kind {
        FRAMEBUFFER_UPDATE, SET_COLOUR_MAP_ENTRIES, BELL, CUT_TEXT, EXTENDED_CLIPBOARD, END_OF_CONTINUOUS_UPDATES,
        FENCE, XVP, GII, QEMU_AUDIO
    }

    /** EndOfContinuousUpdates. */
    public static final int END_OF_CONTINUOUS_UPDATES = 150;
    /** ServerFence. */
    public static final int FENCE = 248;
    /** xvp. */
    public static final int XVP = 250;
    /** gii. */
    public static final int GII = 253;
    /** QEMU server message. */
    public static final int QEMU = 255;

    private static final int TYPE = 0;
    private static final int END = 1;
    private static final int FBU_HEADER = 2;
    private static final int RECT = 3;
    private static final int RECT_DONE = 4;
    private static final int COLOUR_MAP_HEADER = 5;
    private static final int CUT_LENGTH = 6;
    private static final int CUT_FLAGS = 7;
    private static final int FENCE_HEADER = 8;
    private static final int GII_HEADER = 9;
    private static final int QEMU_SUBTYPE = 10;
    private static final int QEMU_AUDIO_OP = 11;
    private static final int QEMU_AUDIO_LENGTH = 12;
    private static final int RRE_COUNT = 13;
    private static final int CORRE_COUNT = 14;
    private static final int U32_DATA = 15;
    private static final int EDS_COUNT = 16;
    private static final int HEX_TILE = 17;
    private static final int HEX_COUNT_READ = 18;
    private static final int HEX_COUNT = 19;
    private static final int HEX_NEXT = 20;
    private static final int TIGHT_CONTROL = 21;
    private static final int TIGHT_FILTER = 22;
    private static final int TIGHT_PALETTE = 23;
    private static final int TIGHT_DATA = 24;
    private static final int COMPACT_1 = 25;
    private static final int COMPACT_2 = 26;
    private static final int COMPACT_3 = 27;

    private final byte[] hdr = new byte[16];
    private int have;
    private int need = 1;
    private int step = TYPE;
    private long skip;
    private boolean failed;
    private boolean boundary;

    private long offset;
    private long messageStart;
    private long messages;
    private int type = -1;
    private Kind kind;
    private ExtendedClipboard.Action clipboardAction;

    private PixelFormat format;
    private PixelFormat pendingFormat;
    private int bpp;
    private int tpixel;

    private int rects;
    private int rw;
    private int rh;
    private int encoding;
    private long extLength;
    private int tileX;
    private int tileY;
    private boolean tileColoured;
    private long tightData;
    private long compact;

    /** @param initial the pixel format of the server's ServerInit */
    public ServerMessageFramer(PixelFormat initial) {
        setFormat(initial);
    }

    /**
     * The client sent SetPixelFormat: it applies from the next FramebufferUpdate on. Servers answer a request after
     * they read the messages before it, and clients change format between updates (or behind a fence), so the next
     * update that starts is the first in the new format.
     */
    public void pixelFormat(PixelFormat pf) {
        pendingFormat = pf;
    }

    /** The format rectangles are measured in now. */
    public PixelFormat currentPixelFormat() {
        return format;
    }

    /**
     * Consumes bytes from {@code buf}'s position towards its limit, stopping right after the end of the current
     * message. The position moves over what was consumed.
     *
     * @return true when a message ended at the new position
     * @throws ProtocolException for a stream the framer cannot follow; offsets count from the stream's start
     */
    public boolean advance(ByteBuffer buf) throws ProtocolException {
        if (failed) {
            throw new IllegalStateException("framer failed before; close the connection");
        }
        if (boundary) {
            boundary = false;
            kind = null;
            type = -1;
            clipboardAction = null;
            messageStart = offset;
        }
        try {
            while (buf.hasRemaining()) {
                if (skip > 0) {
                    int n = (int) Math.min(skip, buf.remaining());
                    buf.position(buf.position() + n);
                    skip -= n;
                    offset += n;
                    if (skip > 0) {
                        return false;
                    }
                } else {
                    int n = Math.min(need - have, buf.remaining());
                    buf.get(hdr, have, n);
                    have += n;
                    offset += n;
                    if (have < need) {
                        return false;
                    }
                }
                if (run(step)) {
                    return true;
                }
            }
            return false;
        } catch (ProtocolException e) {
            failed = true;
            throw new ProtocolException((int) Math.min(Integer.MAX_VALUE, offset), e.reason());
        }
    }

    /** Type byte of the message the last consumed bytes belong to; -1 before it is known. */
    public int messageType() {
        return type;
    }

    /**
     * What the message the last consumed bytes belong to is; null while not known yet (a cut text is known after
     * its length, an extended clipboard message after its flags).
     */
    public Kind kind() {
        return kind;
    }

    /** For {@link Kind#EXTENDED_CLIPBOARD}: which way the message moves clipboard content. */
    public ExtendedClipboard.Action clipboardAction() {
        return clipboardAction;
    }

    /** Complete messages so far. */
    public long messages() {
        return messages;
    }

    /** Bytes consumed so far. */
    public long offset() {
        return offset;
    }

    /** Where the current (or just ended) message started in the stream. */
    public long messageStart() {
        return messageStart;
    }

    /** True between messages: the last consumed byte ended one. */
    public boolean atBoundary() {
        return boundary || offset == 0;
    }

    // ---- state machine -------------------------------------------------------------------------------------

    private void read(int n, int next) {
        have = 0;
        need = n;
        step = next;
    }

    /** Runs steps until one needs bytes (false) or the message ends (true). */
    private boolean run(int st) throws ProtocolException {
        while (true) {
            switch (st) {
                case TYPE: {
                    type = hdr[0] & 0xff;
                    switch (type) {
                        case ServerMessages.FRAMEBUFFER_UPDATE:
                            kind = Kind.FRAMEBUFFER_UPDATE;
                            if (pendingFormat != null) {
                                setFormat(pendingFormat);
                                pendingFormat = null;
                            }
                            read(3, FBU_HEADER);
                            return false;
                        case ServerMessages.SET_COLOUR_MAP_ENTRIES:
                            kind = Kind.SET_COLOUR_MAP_ENTRIES;
                            read(5, COLOUR_MAP_HEADER);
                            return false;
                        case ServerMessages.BELL:
                            kind = Kind.BELL;
                            st = END;
                            continue;
                        case ServerMessages.SERVER_CUT_TEXT:
                            read(7, CUT_LENGTH);
                            return false;
                        case END_OF_CONTINUOUS_UPDATES:
                            kind = Kind.END_OF_CONTINUOUS_UPDATES;
                            st = END;
                            continue;
                        case FENCE:
                            kind = Kind.FENCE;
                            read(8, FENCE_HEADER);
                            return false;
                        case XVP:
                            kind = Kind.XVP;
                            read(3, END);
                            return false;
                        case GII:
                            kind = Kind.GII;
                            read(3, GII_HEADER);
                            return false;
                        case QEMU:
                            read(1, QEMU_SUBTYPE);
                            return false;
                        default:
                            throw new ProtocolException("unknown server message type " + type);
                    }
                }
                case END:
                    messages++;
                    boundary = true;
                    read(1, TYPE);
                    return true;
                case FBU_HEADER:
                    rects = u16(1);
                    if (rects == 0) {
                        st = END;
                        continue;
                    }
                    read(12, RECT);
                    return false;
                case RECT:
                    st = rectangle();
                    if (st < 0) {
                        return false;
                    }
                    continue;
                case RECT_DONE:
                    if (--rects == 0) {
                        st = END;
                        continue;
                    }
                    read(12, RECT);
                    return false;
                case COLOUR_MAP_HEADER:
                    st = skip(6L * u16(3), END);
                    break;
                case CUT_LENGTH: {
                    long len = s32(3);
                    if (len >= 0) {
                        kind = Kind.CUT_TEXT;
                        st = skip(len, END);
                        break;
                    }
                    extLength = -len;
                    if (extLength < 4) {
                        throw new ProtocolException("extended clipboard length out of range: " + extLength);
                    }
                    read(4, CUT_FLAGS);
                    return false;
                }
                case CUT_FLAGS:
                    kind = Kind.EXTENDED_CLIPBOARD;
                    clipboardAction = ExtendedClipboard.action((int) s32(0));
                    st = skip(extLength - 4, END);
                    break;
                case FENCE_HEADER: {
                    int n = hdr[7] & 0xff;
                    if (n > ClientMessage.MAX_FENCE_PAYLOAD) {
                        throw new ProtocolException("fence payload over 64 bytes: " + n);
                    }
                    st = skip(n, END);
                    break;
                }
                case GII_HEADER: {
                    boolean big = (hdr[0] & 0x80) != 0;
                    int n = big ? u16(1) : ((hdr[2] & 0xff) << 8) | (hdr[1] & 0xff);
                    st = skip(n, END);
                    break;
                }
                case QEMU_SUBTYPE:
                    if ((hdr[0] & 0xff) != ClientMessage.QEMU_AUDIO) {
                        throw new ProtocolException("unknown QEMU server message sub-type " + (hdr[0] & 0xff));
                    }
                    kind = Kind.QEMU_AUDIO;
                    read(2, QEMU_AUDIO_OP);
                    return false;
                case QEMU_AUDIO_OP: {
                    int op = u16(0);
                    if (op == 0 || op == 1) {
                        st = END;
                        continue;
                    }
                    if (op != 2) {
                        throw new ProtocolException("unknown QEMU audio operation " + op);
                    }
                    read(4, QEMU_AUDIO_LENGTH);
                    return false;
                }
                case QEMU_AUDIO_LENGTH:
                    st = skip(s32(0) & 0xffffffffL, END);
                    break;
                case RRE_COUNT:
                    st = skip(bpp + (s32(0) & 0xffffffffL) * (bpp + 8), RECT_DONE);
                    break;
                case CORRE_COUNT:
                    st = skip(bpp + (s32(0) & 0xffffffffL) * (bpp + 4), RECT_DONE);
                    break;
                case U32_DATA:
                    st = skip(s32(0) & 0xffffffffL, RECT_DONE);
                    break;
                case EDS_COUNT:
                    st = skip(16L * (hdr[0] & 0xff), RECT_DONE);
                    break;
                case HEX_TILE: {
                    int sub = hdr[0] & 0xff;
                    long tile = (long) Math.min(16, rw - tileX) * Math.min(16, rh - tileY);
                    if ((sub & 1) != 0) {
                        st = skip(tile * bpp, HEX_NEXT);
                        break;
                    }
                    long fixed = ((sub & 2) != 0 ? bpp : 0) + ((sub & 4) != 0 ? bpp : 0);
                    tileColoured = (sub & 16) != 0;
                    st = skip(fixed, (sub & 8) != 0 ? HEX_COUNT_READ : HEX_NEXT);
                    break;
                }
                case HEX_COUNT_READ:
                    read(1, HEX_COUNT);
                    return false;
                case HEX_COUNT:
                    st = skip((long) (hdr[0] & 0xff) * (tileColoured ? bpp + 2 : 2), HEX_NEXT);
                    break;
                case HEX_NEXT:
                    tileX += 16;
                    if (tileX >= rw) {
                        tileX = 0;
                        tileY += 16;
                        if (tileY >= rh) {
                            st = RECT_DONE;
                            continue;
                        }
                    }
                    read(1, HEX_TILE);
                    return false;
                case TIGHT_CONTROL: {
                    int ctl = hdr[0] & 0xff;
                    int method = ctl >> 4;
                    if (method == 8) {
                        st = skip(tpixel, RECT_DONE);
                        break;
                    }
                    if (method == 9 || (method == 10 && encoding == Encodings.TIGHT_PNG)) {
                        tightData = Long.MAX_VALUE;
                        read(1, COMPACT_1);
                        return false;
                    }
                    if (method > 7) {
                        throw new ProtocolException("bad Tight compression control " + ctl);
                    }
                    if ((ctl & 0x40) != 0) {
                        read(1, TIGHT_FILTER);
                        return false;
                    }
                    tightData = (long) rw * rh * tpixel;
                    st = TIGHT_DATA;
                    continue;
                }
                case TIGHT_FILTER: {
                    int filter = hdr[0] & 0xff;
                    if (filter == 1) {
                        read(1, TIGHT_PALETTE);
                        return false;
                    }
                    if (filter != 0 && filter != 2) {
                        throw new ProtocolException("bad Tight filter " + filter);
                    }
                    tightData = (long) rw * rh * tpixel;
                    st = TIGHT_DATA;
                    continue;
                }
                case TIGHT_PALETTE: {
                    int colours = (hdr[0] & 0xff) + 1;
                    tightData = colours == 2 ? (long) ((rw + 7) / 8) * rh : (long) rw * rh;
                    st = skip((long) colours * tpixel, TIGHT_DATA);
                    break;
                }
                case TIGHT_DATA:
                    if (tightData < 12) {
                        st = skip(tightData, RECT_DONE);
                        break;
                    }
                    read(1, COMPACT_1);
                    return false;
                case COMPACT_1:
                    compact = hdr[0] & 0x7f;
                    if ((hdr[0] & 0x80) != 0) {
                        read(1, COMPACT_2);
                        return false;
                    }
                    st = skip(compact, RECT_DONE);
                    break;
                case COMPACT_2:
                    compact |= (hdr[0] & 0x7fL) << 7;
                    if ((hdr[0] & 0x80) != 0) {
                        read(1, COMPACT_3);
                        return false;
                    }
                    st = skip(compact, RECT_DONE);
                    break;
                case COMPACT_3:
                    compact |= (hdr[0] & 0xffL) << 14;
                    st = skip(compact, RECT_DONE);
                    break;
                default:
                    throw new IllegalStateException("step " + st);
            }
            if (st < 0) {
                return false;
            }
        }
    }

    /** Skips n bytes, then {@code next}: returns next when n is 0 (go on at once), else -1 (wait for bytes). */
    private int skip(long n, int next) {
        step = next;
        have = 0;
        need = 0;
        if (n == 0) {
            return next;
        }
        skip = n;
        return -1;
    }

    /** One rectangle header: the step to go on with, or -1 when bytes are needed. */
    private int rectangle() throws ProtocolException {
        rw = u16(4);
        rh = u16(6);
        encoding = (int) s32(8);
        long area = (long) rw * rh;
        switch (encoding) {
            case Encodings.RAW:
                return skip(area * bpp, RECT_DONE);
            case Encodings.COPY_RECT:
                return skip(4, RECT_DONE);
            case Encodings.RRE:
                read(4, RRE_COUNT);
                return -1;
            case Encodings.CORRE:
                read(4, CORRE_COUNT);
                return -1;
            case Encodings.HEXTILE:
                if (area == 0) {
                    return RECT_DONE;
                }
                tileX = 0;
                tileY = 0;
                read(1, HEX_TILE);
                return -1;
            case Encodings.ZLIB:
            case Encodings.ZRLE:
            case Encodings.ZYWRLE:
            case Encodings.DESKTOP_NAME:
                read(4, U32_DATA);
                return -1;
            case Encodings.TIGHT:
            case Encodings.TIGHT_PNG:
                read(1, TIGHT_CONTROL);
                return -1;
            case Encodings.CURSOR:
                return skip(area * bpp + (long) ((rw + 7) / 8) * rh, RECT_DONE);
            case Encodings.X_CURSOR:
                return skip(area == 0 ? 0 : 6 + 2L * ((rw + 7) / 8) * rh, RECT_DONE);
            case Encodings.DESKTOP_SIZE:
            case Encodings.POINTER_POS:
            case Encodings.QEMU_POINTER_MOTION_CHANGE:
            case Encodings.QEMU_EXTENDED_KEY_EVENT:
            case Encodings.QEMU_AUDIO:
                return RECT_DONE;
            case Encodings.LAST_RECT:
                return END;
            case Encodings.EXTENDED_DESKTOP_SIZE:
                read(4, EDS_COUNT);
                return -1;
            case Encodings.QEMU_LED_STATE:
                return skip(1, RECT_DONE);
            default:
                throw new ProtocolException("rectangle encoding " + Encodings.name(encoding)
                        + " cannot be framed (never asked for)");
        }
    }

    private void setFormat(PixelFormat pf) {
        format = pf;
        bpp = pf.bytesPerPixel();
        // Tight sends 3-byte pixels for 32-bit true colour with 8 bits per colour (rfbproto TPIXEL).
        boolean rgb888 = pf.bitsPerPixel() == 32 && pf.depth() == 24 && pf.trueColour() && pf.redMax() == 255
                && pf.greenMax() == 255 && pf.blueMax() == 255;
        tpixel = rgb888 ? 3 : bpp;
    }

    private int u16(int at) {
        return ((hdr[at] & 0xff) << 8) | (hdr[at + 1] & 0xff);
    }

    private long s32(int at) {
        return ((hdr[at] & 0xff) << 24) | ((hdr[at + 1] & 0xff) << 16) | ((hdr[at + 2] & 0xff) << 8)
                | (hdr[at + 3] & 0xff);
    }
}
