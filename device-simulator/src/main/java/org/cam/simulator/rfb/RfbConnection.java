package org.cam.simulator.rfb;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.BitSet;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.rfb.ClientInit;
import org.cam.protocol.rfb.ClientMessage;
import org.cam.protocol.rfb.ClientMessageParser;
import org.cam.protocol.rfb.Encodings;
import org.cam.protocol.rfb.ExtendedClipboard;
import org.cam.protocol.rfb.Handshake;
import org.cam.protocol.rfb.PixelFormat;
import org.cam.protocol.rfb.RfbVersion;
import org.cam.protocol.rfb.SecurityType;
import org.cam.protocol.rfb.ServerInit;
import org.cam.protocol.rfb.ServerMessageFramer;
import org.cam.protocol.rfb.ServerMessages;
import org.cam.protocol.rfb.VncAuth;

/**
 * One viewer on one channel: the RFB 3.3/3.7/3.8 server handshake, then client messages and framebuffer
 * updates. Everything runs on the socket's event loop; screen changes arrive from other threads and are
 * handed over with {@link Context#runOnContext}. Any protocol error closes this connection only.
 *
 * <p>Like the servers in BMCs, QEMU and TigerVNC it offers what a viewer's SetEncodings asks for: extended
 * clipboard (caps, request, peek, notify, zlib provide), fence, continuous updates, ExtendedDesktopSize (a fixed
 * size: SetDesktopSize is answered "prohibited") and QEMU extended key events, so tests meet what real peers send.
 */
final class RfbConnection implements ChannelScreen.Listener {

    private static final Logger LOG = Logger.getLogger(RfbConnection.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    /** Bytes a client may send ahead during the handshake before we call it abuse. */
    private static final int MAX_HANDSHAKE_BUFFER = 4096;
    /** A connection that has not finished the handshake by then is closed (no idle pre-auth sockets). */
    private static final long HANDSHAKE_TIMEOUT_MS = 30_000;
    /** Clipboard text a viewer may send or the simulator keeps (classic or extended, after inflating). */
    static final int MAX_CLIPBOARD = 64 * 1024;

    static final int FENCE_REQUEST = 0x80000000;
    /** BlockBefore, BlockAfter, SyncNext: trivially honoured, every message is handled in order. */
    static final int FENCE_FLAGS = 0x7;

    private enum State { VERSION, SECURITY_CHOICE, AUTH_RESPONSE, CLIENT_INIT, NORMAL, CLOSED }

    private final RfbChannelServer channel;
    private final NetSocket socket;
    private final Context context;
    private final ChannelScreen screen;
    private final PixelEncoder encoder = new PixelEncoder();
    private final ClientMessageParser parser = new ClientMessageParser(MAX_CLIPBOARD);

    private State state = State.VERSION;
    private RfbVersion version;
    private int offeredType;
    private byte[] challenge;
    private byte[] pending = new byte[0];

    private int encoding = Encodings.RAW;
    private int fallbackEncoding = Encodings.RAW;
    private boolean extendedClipboard;
    private boolean extendedDesktopSize;
    private boolean pendingDesktopSize;
    private boolean pendingQemuKeys;
    private boolean fenceOffered;
    private boolean continuousOffered;
    private ClientMessage.FramebufferUpdateRequest continuous;
    private boolean useCopyRect;
    private boolean acquired;
    private final BitSet dirty = new BitSet();
    private ClientMessage.FramebufferUpdateRequest waiting;
    private long clientBandVersion = -1;

    RfbConnection(RfbChannelServer channel, NetSocket socket, Context context) {
        this.channel = channel;
        this.socket = socket;
        this.context = context;
        this.screen = channel.screen();
    }

    void start() {
        socket.handler(this::onData);
        socket.closeHandler(v -> closed());
        socket.exceptionHandler(e -> close("socket error: " + e.getMessage()));
        socket.drainHandler(v -> drained());
        socket.write(Buffer.buffer(RfbVersion.V3_8.encode()));
        channel.vertx().setTimer(HANDSHAKE_TIMEOUT_MS, t -> {
            if (state != State.NORMAL && state != State.CLOSED) {
                close("handshake not completed in time");
            }
        });
    }

    boolean isViewing() {
        return state == State.NORMAL;
    }

    /** Closes from any thread. */
    void close(String why) {
        context.runOnContext(v -> {
            if (state != State.CLOSED) {
                LOG.log(Level.FINE, "closing RFB connection on {0}: {1}", new Object[] {channel.describe(), why});
                socket.close();
                closed();
            }
        });
    }

    private void closed() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        if (acquired) {
            screen.release(this);
            acquired = false;
        }
        encoder.end();
        channel.removed(this);
    }

    private void onData(Buffer data) {
        if (state == State.CLOSED) {
            return;
        }
        try {
            if (state == State.NORMAL) {
                byte[] b = data.getBytes();
                parser.feed(b, 0, b.length);
                pump();
                return;
            }
            byte[] b = data.getBytes();
            byte[] np = new byte[pending.length + b.length];
            System.arraycopy(pending, 0, np, 0, pending.length);
            System.arraycopy(b, 0, np, pending.length, b.length);
            pending = np;
            if (pending.length > MAX_HANDSHAKE_BUFFER) {
                throw new ProtocolException(pending.length, "too much data during handshake");
            }
            handshake();
        } catch (ProtocolException e) {
            close("malformed input: " + e.getMessage());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "RFB connection failed on " + channel.describe(), e);
            close("internal error");
        }
    }

    private int consume(int n) {
        byte[] rest = new byte[pending.length - n];
        System.arraycopy(pending, n, rest, 0, rest.length);
        pending = rest;
        return n;
    }

    private void handshake() throws ProtocolException {
        boolean progress = true;
        while (progress && state != State.NORMAL && state != State.CLOSED) {
            progress = false;
            switch (state) {
                case VERSION:
                    if (pending.length >= RfbVersion.LENGTH) {
                        version = RfbVersion.decode(pending, 0, RfbVersion.LENGTH);
                        consume(RfbVersion.LENGTH);
                        offerSecurity();
                        progress = true;
                    }
                    break;
                case SECURITY_CHOICE:
                    if (pending.length >= 1) {
                        int chosen = pending[0] & 0xff;
                        consume(1);
                        if (chosen != offeredType) {
                            fail("security type " + chosen + " not offered");
                            return;
                        }
                        afterSecurityChoice();
                        progress = true;
                    }
                    break;
                case AUTH_RESPONSE:
                    if (pending.length >= VncAuth.CHALLENGE_LENGTH) {
                        byte[] resp = new byte[VncAuth.CHALLENGE_LENGTH];
                        System.arraycopy(pending, 0, resp, 0, resp.length);
                        consume(resp.length);
                        // Once the manager hands out session credentials, the channel's own password (fixed, and
                        // crackable from any handshake captured before) opens nothing.
                        String pw = channel.sessionCredentialsOnly() ? null : channel.password();
                        boolean fixed = pw != null && VncAuth.verify(challenge, resp, pw);
                        // Both checked (no short cut): a session credential that answers is used up either way.
                        boolean session = channel.credentials().consume(challenge, resp);
                        if (!fixed && !session) {
                            fail("authentication failed");
                            return;
                        }
                        socket.write(Buffer.buffer(Handshake.encodeSecurityResult(version, true, null)));
                        state = State.CLIENT_INIT;
                        progress = true;
                    }
                    break;
                case CLIENT_INIT:
                    if (pending.length >= ClientInit.LENGTH) {
                        ClientInit ci = ClientInit.decode(pending[0]);
                        consume(1);
                        enterNormal(ci);
                        if (pending.length > 0) {
                            parser.feed(pending, 0, pending.length);
                            pending = new byte[0];
                            pump();
                        }
                    }
                    break;
                default:
                    break;
            }
        }
    }

    /**
     * Handles buffered client messages until the write queue is full; then stops reading the socket until it
     * drains. A viewer that asks for updates faster than it reads them thus cannot make the device queue
     * frame after frame.
     */
    private void pump() throws ProtocolException {
        ClientMessageParser.Frame f;
        while (state == State.NORMAL && !socket.writeQueueFull() && (f = parser.next()) != null) {
            handle(f.message());
        }
        if (state == State.NORMAL && socket.writeQueueFull()) {
            socket.pause();
        }
    }

    private void drained() {
        if (state != State.NORMAL) {
            return;
        }
        socket.resume();
        try {
            pump();
        } catch (ProtocolException e) {
            close("malformed input: " + e.getMessage());
        }
    }

    private void offerSecurity() {
        if (!channel.allows(socket.remoteAddress())) {
            String reason = "RFB is only open to the CAM brokers";
            socket.write(Buffer.buffer(Handshake.encodeSecurityFailure(version, reason)));
            close(reason);
            return;
        }
        String busy = channel.busy();
        if (busy != null) {
            // RFB's only way to refuse before authentication: zero security types (3.3: type 0) and a reason.
            socket.write(Buffer.buffer(Handshake.encodeSecurityFailure(version, busy)));
            close(busy);
            return;
        }
        // A channel with a credential (its own or a session's) requires it; one without lets anybody look (lab and
        // demo use). A channel opened by session credentials only asks for one even when none is live.
        offeredType = channel.sessionCredentialsOnly() || channel.password() != null || channel.credentials().any()
                ? SecurityType.VNC_AUTH : SecurityType.NONE;
        socket.write(Buffer.buffer(Handshake.encodeSecurityTypes(version, List.of(offeredType))));
        if (version.negotiatesSecurityTypes()) {
            state = State.SECURITY_CHOICE;
        } else {
            afterSecurityChoice();
        }
    }

    private void afterSecurityChoice() {
        if (offeredType == SecurityType.VNC_AUTH) {
            challenge = VncAuth.challenge(RANDOM);
            socket.write(Buffer.buffer(challenge));
            state = State.AUTH_RESPONSE;
        } else {
            if (version == RfbVersion.V3_8) {
                socket.write(Buffer.buffer(Handshake.encodeSecurityResult(version, true, null)));
            }
            state = State.CLIENT_INIT;
        }
    }

    private void fail(String reason) {
        if (state == State.AUTH_RESPONSE || version == RfbVersion.V3_8) {
            socket.write(Buffer.buffer(Handshake.encodeSecurityResult(version, false, reason)));
        }
        close(reason);
    }

    private void enterNormal(ClientInit ci) {
        state = State.NORMAL;
        channel.viewerJoined(this, ci.shared());
        screen.acquire(this);
        acquired = true;
        // Everything is new to a new viewer, so even a first request marked incremental gets a full screen.
        dirty.set(0, screen.tilesX() * screen.tilesY());
        ServerInit si = new ServerInit(screen.width(), screen.height(), PixelFormat.RGB888, channel.desktopName());
        socket.write(Buffer.buffer(si.encode()));
    }

    private void handle(ClientMessage m) throws ProtocolException {
        if (m instanceof ClientMessage.ExtendedClipboardMessage x) {
            extendedClipboard(x.flags(), x.payload());
        } else if (m instanceof ClientMessage.EnableContinuousUpdates cu) {
            if (cu.enable()) {
                continuous = new ClientMessage.FramebufferUpdateRequest(true, cu.x(), cu.y(), cu.width(), cu.height());
                request(continuous);
            } else {
                continuous = null;
                socket.write(Buffer.buffer(new byte[] {(byte) ServerMessageFramer.END_OF_CONTINUOUS_UPDATES}));
            }
        } else if (m instanceof ClientMessage.ClientFence f) {
            if ((f.flags() & FENCE_REQUEST) != 0) {
                socket.write(fence(f.flags() & FENCE_FLAGS, f.payload()));
            }
        } else if (m instanceof ClientMessage.SetDesktopSize) {
            if (extendedDesktopSize) {
                // The console has the size of the server behind it: a client cannot change it (status 1: prohibited).
                socket.write(Buffer.buffer(ServerMessages.framebufferUpdateHeader(1)).appendBytes(desktopSize(1, 1)));
            }
        } else if (m instanceof ClientMessage.QemuExtendedKeyEvent k) {
            if (k.keysym() != 0) {
                screen.key(k.down(), k.keysym());
            }
        } else if (m instanceof ClientMessage.SetPixelFormat spf) {
            encoder.setFormat(spf.pixelFormat());
        } else if (m instanceof ClientMessage.SetEncodings se) {
            chooseEncodings(se.encodings());
        } else if (m instanceof ClientMessage.FramebufferUpdateRequest r) {
            request(r);
        } else if (m instanceof ClientMessage.KeyEvent k) {
            screen.key(k.down(), k.keysym());
        } else if (m instanceof ClientMessage.PointerEvent p) {
            screen.pointer(p.buttonMask(), p.x(), p.y());
        } else if (m instanceof ClientMessage.ClientCutText c) {
            clipboardFromViewer(c.text());
        }
        // QEMU audio: this console has no sound card, so the request is ignored as QEMU without audio does;
        // xvp and gii: no power control or extra input devices through the console.
    }

    private void clipboardFromViewer(String text) {
        screen.clipboard(text);
        channel.clipboardFrom(this, text);
    }

    /** The target's clipboard changed (another viewer set it): tell this viewer as its protocol wants. */
    void clipboardChanged(String text) {
        context.runOnContext(v -> {
            if (state != State.NORMAL) {
                return;
            }
            if (extendedClipboard) {
                socket.write(clipboardMessage(ExtendedClipboard.NOTIFY | ExtendedClipboard.TEXT, new byte[0]));
            } else {
                socket.write(Buffer.buffer(ServerMessages.serverCutText(text)));
            }
        });
    }

    private void extendedClipboard(int flags, byte[] data) throws ProtocolException {
        if ((flags & ExtendedClipboard.CAPS) != 0) {
            return; // the viewer's formats and sizes: we only ever speak text, which every viewer accepts
        }
        if ((flags & ExtendedClipboard.REQUEST) != 0 && (flags & ExtendedClipboard.TEXT) != 0) {
            socket.write(clipboardMessage(ExtendedClipboard.PROVIDE | ExtendedClipboard.TEXT, provideText(channel.clipboard())));
        } else if ((flags & ExtendedClipboard.PEEK) != 0) {
            socket.write(clipboardMessage(ExtendedClipboard.NOTIFY | (channel.clipboard().isEmpty() ? 0 : ExtendedClipboard.TEXT), new byte[0]));
        } else if ((flags & ExtendedClipboard.NOTIFY) != 0 && (flags & ExtendedClipboard.TEXT) != 0) {
            socket.write(clipboardMessage(ExtendedClipboard.REQUEST | ExtendedClipboard.TEXT, new byte[0]));
        } else if ((flags & ExtendedClipboard.PROVIDE) != 0 && (flags & ExtendedClipboard.TEXT) != 0) {
            clipboardFromViewer(providedText(data));
        }
    }

    /** A ServerCutText with a negative length: the extended clipboard's flags and data. */
    private static Buffer clipboardMessage(int flags, byte[] data) {
        return Buffer.buffer(12 + data.length).appendByte((byte) 3).appendBytes(new byte[3])
                .appendInt(-(4 + data.length)).appendInt(flags).appendBytes(data);
    }

    /** Provide's zlib stream (fresh per message): the text's length with its NUL, then UTF-8 text and NUL. */
    private static byte[] provideText(String text) {
        byte[] utf8 = (text + "\0").getBytes(StandardCharsets.UTF_8);
        Deflater d = new Deflater();
        d.setInput(ByteBuffer.allocate(4 + utf8.length).putInt(utf8.length).put(utf8).array());
        d.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) {
            z.write(buf, 0, d.deflate(buf));
        }
        d.end();
        return z.toByteArray();
    }

    private static String providedText(byte[] data) throws ProtocolException {
        Inflater in = new Inflater();
        try {
            in.setInput(data);
            byte[] head = new byte[4];
            if (in.inflate(head) != 4) {
                throw new ProtocolException(0, "extended clipboard provide without a text length");
            }
            int len = ByteBuffer.wrap(head).getInt();
            if (len < 0 || len > MAX_CLIPBOARD) {
                throw new ProtocolException(0, "extended clipboard text length out of range: " + len);
            }
            byte[] text = new byte[len];
            int got = 0;
            while (got < len) {
                int n = in.inflate(text, got, len - got);
                if (n == 0) {
                    throw new ProtocolException(got, "extended clipboard text shorter than announced");
                }
                got += n;
            }
            int end = len > 0 && text[len - 1] == 0 ? len - 1 : len;
            return new String(text, 0, end, StandardCharsets.UTF_8);
        } catch (DataFormatException e) {
            throw new ProtocolException(0, "extended clipboard data is not zlib: " + e.getMessage());
        } finally {
            in.end();
        }
    }

    private static Buffer fence(int flags, byte[] payload) {
        return Buffer.buffer(9 + payload.length).appendByte((byte) ServerMessageFramer.FENCE).appendBytes(new byte[3])
                .appendInt(flags).appendByte((byte) payload.length).appendBytes(payload);
    }

    /** An ExtendedDesktopSize rectangle: reason (0 server, 1 this client), status, one screen covering it all. */
    private byte[] desktopSize(int reason, int status) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(40);
        b.writeBytes(new ServerMessages.RectangleHeader(reason, status, screen.width(), screen.height(),
                Encodings.EXTENDED_DESKTOP_SIZE).encode());
        b.writeBytes(ByteBuffer.allocate(20).put((byte) 1).put(new byte[3]).putInt(0).putShort((short) 0)
                .putShort((short) 0).putShort((short) screen.width()).putShort((short) screen.height()).putInt(0)
                .array());
        return b.toByteArray();
    }

    private void chooseEncodings(List<Integer> list) {
        useCopyRect = list.contains(Encodings.COPY_RECT);
        // The client's first choice among those we have; Raw when it names none of them. Tight needs a pixel
        // format with 8-bit channels, so the next choice stands by for other formats.
        List<Integer> known = list.stream().filter(e -> e == Encodings.TIGHT || e == Encodings.ZRLE
                || e == Encodings.HEXTILE || e == Encodings.RAW).toList();
        encoding = known.isEmpty() ? Encodings.RAW : known.get(0);
        fallbackEncoding = known.stream().filter(e -> e != Encodings.TIGHT).findFirst().orElse(Encodings.RAW);
        // Extensions are offered as the viewer's SetEncodings names them, the way real servers answer.
        extendedClipboard = list.contains(Encodings.EXTENDED_CLIPBOARD);
        if (extendedClipboard) {
            socket.write(clipboardMessage(ExtendedClipboard.CAPS | ExtendedClipboard.REQUEST | ExtendedClipboard.PEEK | ExtendedClipboard.NOTIFY | ExtendedClipboard.PROVIDE | ExtendedClipboard.TEXT,
                    ByteBuffer.allocate(4).putInt(MAX_CLIPBOARD).array()));
        }
        if (list.contains(Encodings.FENCE) && !fenceOffered) {
            fenceOffered = true;
            socket.write(fence(FENCE_REQUEST | FENCE_FLAGS, new byte[0]));
        }
        if (list.contains(Encodings.CONTINUOUS_UPDATES) && !continuousOffered) {
            // EndOfContinuousUpdates tells the viewer that the server can do them.
            continuousOffered = true;
            socket.write(Buffer.buffer(new byte[] {(byte) ServerMessageFramer.END_OF_CONTINUOUS_UPDATES}));
        }
        boolean eds = list.contains(Encodings.EXTENDED_DESKTOP_SIZE);
        pendingDesktopSize |= eds && !extendedDesktopSize;
        extendedDesktopSize = eds;
        pendingQemuKeys |= list.contains(Encodings.QEMU_EXTENDED_KEY_EVENT);
    }

    @Override
    public void screenChanged(BitSet tiles) {
        context.runOnContext(v -> {
            if (state != State.NORMAL) {
                return;
            }
            dirty.or(tiles);
            if (continuous != null) {
                request(continuous);
            } else if (waiting != null) {
                ClientMessage.FramebufferUpdateRequest r = waiting;
                waiting = null;
                request(r);
            }
        });
    }

    private void request(ClientMessage.FramebufferUpdateRequest r) {
        int tx0 = Math.min(r.x(), screen.width() - 1) / ChannelScreen.TILE;
        int ty0 = Math.min(r.y(), screen.height() - 1) / ChannelScreen.TILE;
        int tx1 = Math.min(screen.tilesX() - 1, Math.max(r.x(), r.x() + r.width() - 1) / ChannelScreen.TILE);
        int ty1 = Math.min(screen.tilesY() - 1, Math.max(r.y(), r.y() + r.height() - 1) / ChannelScreen.TILE);
        BitSet send = new BitSet();
        for (int ty = ty0; ty <= ty1; ty++) {
            for (int tx = tx0; tx <= tx1; tx++) {
                int t = screen.tile(tx, ty);
                if (!r.incremental() || dirty.get(t)) {
                    send.set(t);
                }
            }
        }
        if (r.width() == 0 || r.height() == 0 || send.isEmpty()) {
            if (r.incremental()) {
                waiting = r; // answered when something in it changes
                return;
            }
        }
        sendUpdate(send);
    }

    private void sendUpdate(BitSet send) {
        ByteArrayOutputStream body = new ByteArrayOutputStream(8192);
        int rects = 0;
        // Pseudo-rectangles first: they tell the viewer what it may use from here on.
        if (pendingDesktopSize) {
            body.writeBytes(desktopSize(0, 0));
            rects++;
            pendingDesktopSize = false;
        }
        if (pendingQemuKeys) {
            body.writeBytes(new ServerMessages.RectangleHeader(0, 0, screen.width(), screen.height(),
                    Encodings.QEMU_EXTENDED_KEY_EVENT).encode());
            rects++;
            pendingQemuKeys = false;
        }
        synchronized (screen) {
            int[] px = screen.pixels();
            if (px == null) {
                return;
            }
            int w = screen.width();
            int bandRow = screen.tilesY() - 1;
            int bandFrom = screen.tile(0, bandRow);
            BitSet band = send.get(bandFrom, bandFrom + screen.tilesX());
            boolean wholeBand = band.cardinality() == screen.tilesX();
            long bandVersion = screen.bandVersion();
            boolean copied = false;
            if (wholeBand && useCopyRect && clientBandVersion == bandVersion - 1 && screen.lastBandChangeWasScroll()
                    && w > ChannelScreen.SCROLL_STEP) {
                int by = screen.bandY();
                int bh = screen.height() - by;
                int step = ChannelScreen.SCROLL_STEP;
                encoder.copyRect(body, 0, by, w - step, bh, step, by);
                rect(body, px, w - step, by, step, bh);
                rects += 2;
                send.clear(bandFrom, bandFrom + screen.tilesX());
                copied = true;
            }
            if (!band.isEmpty()) {
                clientBandVersion = wholeBand ? bandVersion : -1;
            }
            // Runs of adjacent tiles in a row become one rectangle.
            for (int ty = 0; ty < screen.tilesY(); ty++) {
                int tx = 0;
                while (tx < screen.tilesX()) {
                    if (!send.get(screen.tile(tx, ty))) {
                        tx++;
                        continue;
                    }
                    int start = tx;
                    while (tx < screen.tilesX() && send.get(screen.tile(tx, ty))) {
                        tx++;
                    }
                    int x0 = start * ChannelScreen.TILE;
                    int y0 = ty * ChannelScreen.TILE;
                    int x1 = Math.min(w, tx * ChannelScreen.TILE);
                    int y1 = Math.min(screen.height(), y0 + ChannelScreen.TILE);
                    rect(body, px, x0, y0, x1 - x0, y1 - y0);
                    rects++;
                }
            }
            dirty.andNot(send);
            if (copied) {
                dirty.clear(bandFrom, bandFrom + screen.tilesX());
            }
        }
        Buffer out = Buffer.buffer(4 + body.size());
        out.appendBytes(ServerMessages.framebufferUpdateHeader(rects));
        out.appendBytes(body.toByteArray());
        socket.write(out);
    }

    private void rect(ByteArrayOutputStream body, int[] px, int x, int y, int w, int h) {
        int e = encoding == Encodings.TIGHT && !encoder.tightPossible() ? fallbackEncoding : encoding;
        switch (e) {
            case Encodings.TIGHT -> encoder.tight(body, px, screen.width(), x, y, w, h);
            case Encodings.ZRLE -> encoder.zrle(body, px, screen.width(), x, y, w, h);
            case Encodings.HEXTILE -> encoder.hextile(body, px, screen.width(), x, y, w, h);
            default -> encoder.raw(body, px, screen.width(), x, y, w, h);
        }
    }
}
