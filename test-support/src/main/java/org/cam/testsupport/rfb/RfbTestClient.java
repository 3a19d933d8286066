package org.cam.testsupport.rfb;

import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.security.cert.X509Certificate;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.rfb.ClientMessage;
import org.cam.protocol.rfb.Encodings;
import org.cam.protocol.rfb.Handshake;
import org.cam.protocol.rfb.PixelFormat;
import org.cam.protocol.rfb.RfbVersion;
import org.cam.protocol.rfb.SecurityType;
import org.cam.protocol.rfb.ServerInit;
import org.cam.protocol.rfb.ServerMessageFramer;
import org.cam.protocol.rfb.VncAuth;

/**
 * The one blocking RFB client of the tests, over TCP, TLS or the broker's WebSocket. It authenticates with None,
 * VNC authentication or VeNCrypt (X509None, X509Vnc, X509Plain and their TLS-only twins), keeps a 32-bit RGB
 * framebuffer ({@code 0xRRGGBB} per pixel) and decodes what servers send: Raw, CopyRect, Hextile, ZRLE and Tight
 * (fill, basic with copy or palette filter, no JPEG), DesktopSize and ExtendedDesktopSize, Cursor, LastRect; between
 * updates it notes Bell, (extended) ServerCutText, fence and EndOfContinuousUpdates in {@link #events()}, and answers
 * a server's fence request as RFB requires.
 *
 * <p>Strictly request-then-read: the test always knows which update answers which request, and because relays keep
 * order, a peer has handled everything sent before an update that arrives.
 */
public final class RfbTestClient implements AutoCloseable {

    /** VeNCrypt: the security type and its sub-types (rfbproto). */
    public static final int VENCRYPT = 19;
    public static final int TLS_NONE = 257;
    public static final int TLS_VNC = 258;
    public static final int TLS_PLAIN = 259;
    public static final int X509_NONE = 260;
    public static final int X509_VNC = 261;
    public static final int X509_PLAIN = 262;

    private Transport t;
    private final String host;
    private final int port;
    private RfbVersion version = RfbVersion.V3_8;
    private SSLContext tls;
    private String username;
    private ServerInit serverInit;
    private int width;
    private int height;
    private int[] fb;
    private final List<Integer> lastEncodings = new ArrayList<>();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Integer> offeredSecurityTypes = new ArrayList<>();
    private final Inflater zrle = new Inflater();
    private final Inflater[] tight = {new Inflater(), new Inflater(), new Inflater(), new Inflater()};
    private volatile String serverCutText;
    private int chosenSecurity;
    private String serverVersion;

    /** The server's reason for a failed handshake (3.8 SecurityResult or a refusal), or null. */
    public String failureReason;

    /** The TLS session VeNCrypt started, or null. */
    public SSLSession tlsSession;

    private RfbTestClient(Transport t, String host, int port) {
        this.t = t;
        this.host = host;
        this.port = port;
    }

    public static RfbTestClient tcp(String host, int port) throws IOException {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 10_000);
        return new RfbTestClient(new SocketTransport(s), host, port);
    }

    /** Over an already connected socket (e.g. TLS). */
    public static RfbTestClient over(Socket socket) throws IOException {
        return new RfbTestClient(new SocketTransport(socket), socket.getInetAddress().getHostAddress(),
                socket.getPort());
    }

    /** Binary WebSocket over TLS to {@code /websockify} on 127.0.0.1 (trusting the broker's certificate). */
    public static RfbTestClient webSocket(Vertx vertx, int port, String query, String firstText) throws Exception {
        return new RfbTestClient(new WebSocketTransport(vertx, port, query, firstText), "127.0.0.1", port);
    }

    public RfbTestClient version(RfbVersion v) {
        this.version = v;
        return this;
    }

    /**
     * VeNCrypt with this TLS context (its trust decides which server certificates pass). Without one, a server that
     * offers only VeNCrypt (the broker's 9901) is accepted with any certificate: the broker's is a test one.
     */
    public RfbTestClient vencrypt(SSLContext context, String plainUsername) {
        this.tls = context;
        this.username = plainUsername;
        return this;
    }

    // ---- handshake ----------------------------------------------------------------------------------------------

    /** The handshake as a shared client; true when the server accepted (ServerInit read). */
    public boolean handshake(String password) throws IOException, ProtocolException {
        return handshake(password, true);
    }

    /**
     * Version, security (VNC auth when a password is given and offered, else None, else VeNCrypt when configured),
     * ClientInit and ServerInit; then SetPixelFormat (when the server's is not RGB888) and SetEncodings(Raw).
     * False when the server refused, with {@link #failureReason} when it gave one.
     */
    public boolean handshake(String password, boolean shared) throws IOException, ProtocolException {
        byte[] v = t.read(12);
        serverVersion = new String(v, StandardCharsets.US_ASCII).trim();
        RfbVersion offered = RfbVersion.decode(v, 0, 12);
        if (offered.compareTo(version) < 0) {
            version = offered;   // as every client does: the highest version both speak (RFC 6143 7.1.1)
        }
        t.write(version.encode());
        int type;
        if (version.negotiatesSecurityTypes()) {
            int n = t.read(1)[0] & 0xff;
            if (n == 0) {
                failureReason = readReason();
                return false;
            }
            byte[] types = t.read(n);
            for (byte b : types) {
                offeredSecurityTypes.add(b & 0xff);
            }
            type = choose(password);
            t.write(new byte[] {(byte) type});
        } else {
            type = ByteBuffer.wrap(t.read(4)).getInt();
            if (type == 0) {
                failureReason = readReason();
                return false;
            }
            offeredSecurityTypes.add(type);
        }
        chosenSecurity = type;
        boolean resultFollows = version == RfbVersion.V3_8;
        if (type == VENCRYPT) {
            type = vencryptHandshake();
            resultFollows = true;
        }
        if (type == SecurityType.VNC_AUTH || type == TLS_VNC || type == X509_VNC) {
            byte[] challenge = t.read(16);
            t.write(VncAuth.response(challenge, password == null ? "" : password));
            resultFollows = true;
        } else if (type == TLS_PLAIN || type == X509_PLAIN) {
            byte[] user = (username == null ? "" : username).getBytes(StandardCharsets.UTF_8);
            byte[] pass = (password == null ? "" : password).getBytes(StandardCharsets.UTF_8);
            t.write(ByteBuffer.allocate(8 + user.length + pass.length).putInt(user.length).putInt(pass.length)
                    .put(user).put(pass).array());
        } else if (type != SecurityType.NONE && type != TLS_NONE && type != X509_NONE) {
            throw new IOException("unsupported security type " + type + " (offered " + offeredSecurityTypes + ")");
        }
        if (resultFollows) {
            int result;
            try {
                result = ByteBuffer.wrap(t.read(4)).getInt();
            } catch (EOFException e) {
                return false;
            }
            if (result != Handshake.RESULT_OK) {
                if (version == RfbVersion.V3_8) {
                    failureReason = readReason();
                }
                return false;
            }
        }
        t.write(new byte[] {(byte) (shared ? 1 : 0)});
        byte[] head = t.read(24);
        int nameLen = ByteBuffer.wrap(head, 20, 4).getInt();
        byte[] all = new byte[24 + nameLen];
        System.arraycopy(head, 0, all, 0, 24);
        System.arraycopy(t.read(nameLen), 0, all, 24, nameLen);
        serverInit = ServerInit.decode(all, 0, all.length);
        resize(serverInit.width(), serverInit.height());
        clientFormat = serverInit.pixelFormat();
        if (!PixelFormat.RGB888.equals(serverInit.pixelFormat())) {
            pixelFormat(PixelFormat.RGB888);
        }
        setEncodings(Encodings.RAW);
        return true;
    }

    /** {@link #handshake(String, boolean)} that throws when refused: SecurityException with the server's reason. */
    public RfbTestClient open(String password, boolean shared) throws IOException, ProtocolException {
        if (!handshake(password, shared)) {
            throw new SecurityException(failureReason == null ? "refused" : "refused: " + failureReason);
        }
        return this;
    }

    private int choose(String password) {
        if (password != null && offeredSecurityTypes.contains(SecurityType.VNC_AUTH)) {
            return SecurityType.VNC_AUTH;
        }
        if (tls != null && offeredSecurityTypes.contains(VENCRYPT)) {
            return VENCRYPT;
        }
        if (offeredSecurityTypes.contains(SecurityType.NONE)) {
            return SecurityType.NONE;
        }
        if (offeredSecurityTypes.contains(VENCRYPT)) {
            return VENCRYPT;
        }
        return offeredSecurityTypes.get(0);
    }

    /** VeNCrypt 0.2: the best X509 sub-type the server offers, then TLS over the same connection. */
    private int vencryptHandshake() throws IOException {
        SSLContext context = tls == null ? trustAll() : tls;
        byte[] v = t.read(2);
        t.write(new byte[] {0, 2});
        if (t.read(1)[0] != 0) {
            throw new IOException("server refused VeNCrypt 0.2 (offered " + v[0] + "." + v[1] + ")");
        }
        int n = t.read(1)[0] & 0xff;
        ByteBuffer subs = ByteBuffer.wrap(t.read(4 * n));
        List<Integer> offered = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            offered.add(subs.getInt());
        }
        events.add("vencrypt subtypes " + offered);
        int chosen = -1;
        for (int want : new int[] {X509_VNC, X509_PLAIN, X509_NONE, TLS_VNC, TLS_PLAIN, TLS_NONE}) {
            if (offered.contains(want)) {
                chosen = want;
                break;
            }
        }
        if (chosen < 0) {
            throw new IOException("no usable VeNCrypt sub-type in " + offered);
        }
        t.write(ByteBuffer.allocate(4).putInt(chosen).array());
        if (t.read(1)[0] != 1) {
            throw new IOException("server refused VeNCrypt sub-type " + chosen);
        }
        SocketTransport upgraded = ((SocketTransport) t).startTls(context, host, port);
        tlsSession = upgraded.session();
        t = upgraded;
        return chosen;
    }

    /** A TLS client context that accepts any server certificate (the broker's self-signed one in tests). */
    public static SSLContext trustAll() throws IOException {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] c, String a) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] c, String a) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException(e);
        }
    }

    private String readReason() throws IOException {
        try {
            int len = ByteBuffer.wrap(t.read(4)).getInt();
            return new String(t.read(len), StandardCharsets.UTF_8);
        } catch (EOFException e) {
            return null;
        }
    }

    // ---- what the handshake learned ----------------------------------------------------------------------------

    public ServerInit serverInit() {
        return serverInit;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The security types the server offered (3.3: the one it chose). */
    public List<Integer> offeredSecurityTypes() {
        return offeredSecurityTypes;
    }

    /** The server's ProtocolVersion line, e.g. "RFB 003.008". */
    public String serverVersion() {
        return serverVersion;
    }

    public int chosenSecurityType() {
        return chosenSecurity;
    }

    // ---- client messages ----------------------------------------------------------------------------------------

    public void send(ClientMessage m) throws IOException {
        t.write(m.encode());
    }

    public void sendRaw(byte[] b) throws IOException {
        t.write(b);
    }

    public void setEncodings(Integer... encodings) throws IOException {
        send(new ClientMessage.SetEncodings(List.of(encodings)));
    }

    public void typeKey(int keysym) throws IOException {
        send(new ClientMessage.KeyEvent(true, keysym));
        send(new ClientMessage.KeyEvent(false, keysym));
    }

    public void pointer(int buttons, int x, int y) throws IOException {
        send(new ClientMessage.PointerEvent(buttons, x, y));
    }

    /** A classic ClientCutText (Latin-1). */
    public void cutText(String text) throws IOException {
        send(new ClientMessage.ClientCutText(text));
    }

    /** FramebufferUpdateRequest for the whole screen. */
    public void request(boolean incremental) throws IOException {
        send(new ClientMessage.FramebufferUpdateRequest(incremental, 0, 0, width, height));
    }

    /**
     * SetPixelFormat. The framebuffer decoders read 32 bpp RGB888 only; other formats are for tests that read whole
     * messages with {@link #readMessage}.
     */
    public void pixelFormat(PixelFormat pf) throws IOException {
        send(new ClientMessage.SetPixelFormat(pf));
        clientFormat = pf;
        if (framer != null) {
            framer.pixelFormat(pf);
        }
    }

    /** Tells {@link #readMessage} the format changed now, without sending anything (after a fence, say). */
    public void pixelFormatOnly(PixelFormat pf) {
        clientFormat = pf;
        framer = new ServerMessageFramer(pf);
    }

    // ---- server messages ----------------------------------------------------------------------------------------

    private PixelFormat clientFormat;
    private ServerMessageFramer framer;

    /**
     * Reads one whole server message, whatever it is, and returns its bytes (protocol's {@link ServerMessageFramer}
     * finds its end; small messages only: it reads byte by byte). Do not mix with the decoding reads.
     */
    public byte[] readMessage() throws IOException, ProtocolException {
        if (framer == null) {
            framer = new ServerMessageFramer(clientFormat);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            byte[] b = t.read(1);
            out.writeBytes(b);
            if (framer.advance(ByteBuffer.wrap(b))) {
                return out.toByteArray();
            }
        }
    }

    /** Reads server messages until a FramebufferUpdate has been applied; its rectangle count. */
    public int readUpdate() throws IOException {
        while (true) {
            int type = t.read(1)[0] & 0xff;
            if (type == 0) {
                return readFramebufferUpdate();
            }
            readOther(type);
        }
    }

    /** Asks for a full update of a region and reads until it has arrived; the pixels it carried. */
    public int requestAndAwaitUpdate(int w, int h) throws IOException {
        send(new ClientMessage.FramebufferUpdateRequest(false, 0, 0, w, h));
        readUpdate();
        return pixelsInLastUpdate;
    }

    /** A full non-incremental update of the screen, read into the framebuffer, which is returned. */
    public int[] refresh() throws IOException {
        request(false);
        readUpdate();
        return fb;
    }

    public int[] framebuffer() {
        return fb;
    }

    /** The encodings of the last update's rectangles. */
    public List<Integer> lastEncodings() {
        return lastEncodings;
    }

    /** What the server sent besides framebuffer updates, in order ("bell", "cut-text ...", "fence ...", ...). */
    public List<String> events() {
        return events;
    }

    /** The last clipboard text the server sent (classic or extended), or null. */
    public String serverCutText() {
        return serverCutText;
    }

    private int pixelsInLastUpdate;

    private int readFramebufferUpdate() throws IOException {
        t.read(1);
        int rects = ByteBuffer.wrap(t.read(2)).getShort() & 0xffff;
        lastEncodings.clear();
        int pixels = 0;
        for (int i = 0; i < rects; i++) {
            ByteBuffer r = ByteBuffer.wrap(t.read(12));
            int x = r.getShort() & 0xffff;
            int y = r.getShort() & 0xffff;
            int w = r.getShort() & 0xffff;
            int h = r.getShort() & 0xffff;
            int enc = r.getInt();
            lastEncodings.add(enc);
            if (enc == Encodings.LAST_RECT) {
                break;
            }
            switch (enc) {
                case Encodings.RAW -> raw(x, y, w, h);
                case Encodings.COPY_RECT -> copyRect(x, y, w, h);
                case Encodings.HEXTILE -> hextile(x, y, w, h);
                case Encodings.ZRLE -> zrle(x, y, w, h);
                case Encodings.TIGHT -> tight(x, y, w, h);
                case Encodings.DESKTOP_SIZE -> resize(w, h);
                case Encodings.EXTENDED_DESKTOP_SIZE -> {
                    int screens = t.read(1)[0] & 0xff;
                    t.read(3 + 16 * screens);
                    events.add("extended-desktop-size " + w + "x" + h + " reason " + x + " status " + y);
                    if (x != 1) { // not the answer to our own SetDesktopSize
                        resize(w, h);
                    }
                }
                case Encodings.CURSOR -> t.read(w * h * 4 + ((w + 7) / 8) * h);
                case Encodings.QEMU_EXTENDED_KEY_EVENT -> events.add("qemu-extended-key-event");
                case Encodings.QEMU_LED_STATE -> events.add("qemu-led-state " + t.read(1)[0]);
                default -> throw new IOException("unexpected encoding " + enc);
            }
            if (enc >= 0) {
                pixels += w * h;
            }
        }
        pixelsInLastUpdate = pixels;
        return rects;
    }

    private void readOther(int type) throws IOException {
        switch (type) {
            case 1 -> { // SetColourMapEntries: not in true colour, but skip it cleanly
                t.read(1);
                ByteBuffer b = ByteBuffer.wrap(t.read(4));
                b.getShort();
                t.read(6 * (b.getShort() & 0xffff));
                events.add("colour-map");
            }
            case 2 -> events.add("bell");
            case 3 -> {
                t.read(3);
                int len = ByteBuffer.wrap(t.read(4)).getInt();
                if (len >= 0) {
                    serverCutText = new String(t.read(len), StandardCharsets.ISO_8859_1);
                    events.add("cut-text " + serverCutText);
                } else {
                    extendedClipboard(t.read(-len));
                }
            }
            case 150 -> events.add("end-of-continuous-updates");
            case 248 -> {
                t.read(3);
                int flags = ByteBuffer.wrap(t.read(4)).getInt();
                byte[] payload = t.read(t.read(1)[0] & 0xff);
                events.add("fence " + Integer.toHexString(flags));
                if ((flags & 0x80000000) != 0) {
                    // A request: answer with the flags we support (none of the ordering ones) and the same payload.
                    ByteBuffer answer = ByteBuffer.allocate(9 + payload.length).put((byte) 248).put(new byte[3])
                            .putInt(0).put((byte) payload.length).put(payload);
                    t.write(answer.array());
                }
            }
            default -> throw new IOException("unexpected server message " + type);
        }
    }

    /** Extended clipboard (rfbproto): caps, request, peek, notify and (zlib) provide. */
    private void extendedClipboard(byte[] body) throws IOException {
        int flags = ByteBuffer.wrap(body).getInt();
        int action = flags & 0xff000000;
        if ((action & 0x01000000) != 0) {
            events.add("clipboard-caps " + Integer.toHexString(flags));
            // Our own caps, as viewers answer: text, and every action.
            sendRaw(ByteBuffer.allocate(16).put((byte) 6).put(new byte[3]).putInt(-8).putInt(0x1F000001)
                    .putInt(1 << 20).array());
        } else if ((action & 0x02000000) != 0) {
            events.add("clipboard-request " + Integer.toHexString(flags));
            if (clientClipboard != null) {
                provideClipboard(clientClipboard);
            }
        } else if ((action & 0x08000000) != 0) {
            events.add("clipboard-notify " + Integer.toHexString(flags));
            if ((flags & 1) != 0) {
                // The server has text: ask for it, as noVNC does.
                sendRaw(ByteBuffer.allocate(12).put((byte) 6).put(new byte[3]).putInt(-4).putInt(0x02000001).array());
            }
        } else if ((action & 0x10000000) != 0) {
            Inflater in = new Inflater();
            in.setInput(body, 4, body.length - 4);
            byte[] data = inflateAll(in);
            in.end();
            if ((flags & 1) != 0 && data.length >= 4) {
                int len = ByteBuffer.wrap(data).getInt();
                String text = new String(data, 4, Math.max(0, Math.min(len, data.length - 4) - 1),
                        StandardCharsets.UTF_8);
                serverCutText = text;
                events.add("clipboard-provide " + text);
            } else {
                events.add("clipboard-provide " + Integer.toHexString(flags));
            }
        } else {
            events.add("clipboard " + Integer.toHexString(flags));
        }
    }

    private volatile String clientClipboard;

    /** Extended clipboard: announces new text (Notify) and provides it when the server requests it. */
    public void notifyClipboard(String text) throws IOException {
        clientClipboard = text;
        sendRaw(ByteBuffer.allocate(12).put((byte) 6).put(new byte[3]).putInt(-4).putInt(0x08000001).array());
    }

    /** ClientFence (248) with these flags and payload. */
    public void fence(int flags, byte[] payload) throws IOException {
        sendRaw(ByteBuffer.allocate(9 + payload.length).put((byte) 248).put(new byte[3]).putInt(flags)
                .put((byte) payload.length).put(payload).array());
    }

    /** EnableContinuousUpdates (150) for the whole screen, or off. */
    public void continuousUpdates(boolean enable) throws IOException {
        sendRaw(ByteBuffer.allocate(10).put((byte) 150).put((byte) (enable ? 1 : 0)).putShort((short) 0)
                .putShort((short) 0).putShort((short) width).putShort((short) height).array());
    }

    /** SetDesktopSize (251) with one screen. */
    public void setDesktopSize(int w, int h) throws IOException {
        sendRaw(ByteBuffer.allocate(24).put((byte) 251).put((byte) 0).putShort((short) w).putShort((short) h)
                .put((byte) 1).put((byte) 0).putInt(0).putShort((short) 0).putShort((short) 0).putShort((short) w)
                .putShort((short) h).putInt(0).array());
    }

    /** QEMU extended key event (255, 0): keysym and XT scan code. */
    public void qemuKey(boolean down, int keysym, int keycode) throws IOException {
        sendRaw(ByteBuffer.allocate(12).put((byte) 255).put((byte) 0).putShort((short) (down ? 1 : 0)).putInt(keysym)
                .putInt(keycode).array());
    }

    /** An extended-clipboard Provide of UTF-8 text (zlib-compressed, NUL-terminated as rfbproto says). */
    public void provideClipboard(String text) throws IOException {
        byte[] utf8 = (text + "\0").getBytes(StandardCharsets.UTF_8);
        java.util.zip.Deflater d = new java.util.zip.Deflater();
        d.setInput(ByteBuffer.allocate(4 + utf8.length).putInt(utf8.length).put(utf8).array());
        d.finish();
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        while (!d.finished()) {
            z.write(buf, 0, d.deflate(buf));
        }
        d.end();
        byte[] payload = z.toByteArray();
        sendRaw(ByteBuffer.allocate(8 + 4 + payload.length).put((byte) 6).put(new byte[3])
                .putInt(-(4 + payload.length)).putInt(0x10000001).put(payload).array());
    }

    // ---- decoders (32 bpp RGB888, little endian: bytes B G R x) -------------------------------------------------

    private void resize(int w, int h) {
        width = w;
        height = h;
        fb = new int[w * h];
    }

    private void raw(int x, int y, int w, int h) throws IOException {
        byte[] px = t.read(w * h * 4);
        for (int j = 0; j < w * h; j++) {
            fb[(y + j / w) * width + x + j % w] = (px[j * 4] & 0xff) | (px[j * 4 + 1] & 0xff) << 8
                    | (px[j * 4 + 2] & 0xff) << 16;
        }
    }

    private void copyRect(int x, int y, int w, int h) throws IOException {
        ByteBuffer src = ByteBuffer.wrap(t.read(4));
        int sx = src.getShort() & 0xffff;
        int sy = src.getShort() & 0xffff;
        int[] copy = new int[w * h];
        for (int r = 0; r < h; r++) {
            System.arraycopy(fb, (sy + r) * width + sx, copy, r * w, w);
        }
        for (int r = 0; r < h; r++) {
            System.arraycopy(copy, r * w, fb, (y + r) * width + x, w);
        }
    }

    private void fill(int x, int y, int w, int h, int colour) {
        for (int yy = y; yy < y + h; yy++) {
            Arrays.fill(fb, yy * width + x, yy * width + x + w, colour);
        }
    }

    private int pixel() throws IOException {
        byte[] p = t.read(4);
        return (p[0] & 0xff) | (p[1] & 0xff) << 8 | (p[2] & 0xff) << 16;
    }

    /** Hextile, general enough for any server (background, foreground, coloured subrects, raw tiles). */
    private void hextile(int x, int y, int w, int h) throws IOException {
        int bg = 0;
        int fg = 0;
        for (int ty = y; ty < y + h; ty += 16) {
            int th = Math.min(16, y + h - ty);
            for (int tx = x; tx < x + w; tx += 16) {
                int tw = Math.min(16, x + w - tx);
                int sub = t.read(1)[0] & 0xff;
                if ((sub & 1) != 0) {
                    raw(tx, ty, tw, th);
                    continue;
                }
                if ((sub & 2) != 0) {
                    bg = pixel();
                }
                if ((sub & 4) != 0) {
                    fg = pixel();
                }
                fill(tx, ty, tw, th, bg);
                if ((sub & 8) != 0) {
                    int n = t.read(1)[0] & 0xff;
                    for (int i = 0; i < n; i++) {
                        int c = (sub & 16) != 0 ? pixel() : fg;
                        byte[] xywh = t.read(2);
                        int xy = xywh[0] & 0xff;
                        int wh = xywh[1] & 0xff;
                        fill(tx + (xy >> 4), ty + (xy & 15), (wh >> 4) + 1, (wh & 15) + 1, c);
                    }
                }
            }
        }
    }

    /** ZRLE: one zlib stream per connection; raw, solid, packed palette and the RLE sub-encodings. */
    private void zrle(int x, int y, int w, int h) throws IOException {
        int len = ByteBuffer.wrap(t.read(4)).getInt();
        zrle.setInput(t.read(len));
        ByteBuffer d = ByteBuffer.wrap(inflateAll(zrle));
        for (int ty = y; ty < y + h; ty += 64) {
            int th = Math.min(64, y + h - ty);
            for (int tx = x; tx < x + w; tx += 64) {
                int tw = Math.min(64, x + w - tx);
                int sub = d.get() & 0xff;
                if (sub == 0) {
                    for (int yy = ty; yy < ty + th; yy++) {
                        for (int xx = tx; xx < tx + tw; xx++) {
                            fb[yy * width + xx] = cpixel(d);
                        }
                    }
                } else if (sub == 1) {
                    fill(tx, ty, tw, th, cpixel(d));
                } else if (sub <= 16) {
                    int[] pal = palette(d, sub);
                    int bits = sub == 2 ? 1 : sub <= 4 ? 2 : 4;
                    for (int yy = ty; yy < ty + th; yy++) {
                        int used = 8;
                        int cur = 0;
                        for (int xx = tx; xx < tx + tw; xx++) {
                            if (used == 8) {
                                cur = d.get() & 0xff;
                                used = 0;
                            }
                            fb[yy * width + xx] = pal[(cur >> (8 - bits - used)) & ((1 << bits) - 1)];
                            used += bits;
                        }
                    }
                } else if (sub == 128 || sub >= 130) {
                    int[] pal = sub == 128 ? null : palette(d, sub - 128);
                    int i = 0;
                    while (i < tw * th) {
                        int colour;
                        int run = 1;
                        if (pal == null) {
                            colour = cpixel(d);
                            run = runLength(d);
                        } else {
                            int idx = d.get() & 0xff;
                            colour = pal[idx & 0x7f];
                            if ((idx & 0x80) != 0) {
                                run = runLength(d);
                            }
                        }
                        for (int k = 0; k < run; k++, i++) {
                            fb[(ty + i / tw) * width + tx + i % tw] = colour;
                        }
                    }
                } else {
                    throw new IOException("unexpected ZRLE sub-encoding " + sub);
                }
            }
        }
        if (d.hasRemaining()) {
            throw new IOException("ZRLE data left over: " + d.remaining());
        }
    }

    private static int runLength(ByteBuffer d) {
        int run = 1;
        int b;
        do {
            b = d.get() & 0xff;
            run += b;
        } while (b == 255);
        return run;
    }

    private static int[] palette(ByteBuffer d, int n) {
        int[] pal = new int[n];
        for (int i = 0; i < n; i++) {
            pal[i] = cpixel(d);
        }
        return pal;
    }

    private static int cpixel(ByteBuffer d) {
        return (d.get() & 0xff) | (d.get() & 0xff) << 8 | (d.get() & 0xff) << 16;
    }

    /** Tight without JPEG: fill, and basic compression with the copy or palette filter (TPIXEL is R, G, B). */
    private void tight(int x, int y, int w, int h) throws IOException {
        int control = t.read(1)[0] & 0xff;
        for (int i = 0; i < 4; i++) {
            if ((control & (1 << i)) != 0) {
                tight[i].reset();
            }
        }
        int kind = control >> 4;
        if (kind == 8) {
            fill(x, y, w, h, tpixel(ByteBuffer.wrap(t.read(3))));
            return;
        }
        if (kind > 8) {
            throw new IOException("unexpected Tight compression " + kind + " (JPEG was not asked for)");
        }
        int stream = kind & 3;
        int filter = 0;
        if ((kind & 4) != 0) {
            filter = t.read(1)[0] & 0xff;
        }
        int[] pal = null;
        if (filter == 1) {
            int n = (t.read(1)[0] & 0xff) + 1;
            pal = new int[n];
            ByteBuffer p = ByteBuffer.wrap(t.read(3 * n));
            for (int i = 0; i < n; i++) {
                pal[i] = tpixel(p);
            }
        } else if (filter != 0) {
            throw new IOException("unexpected Tight filter " + filter);
        }
        int rowBytes = pal == null ? w * 3 : pal.length == 2 ? (w + 7) / 8 : w;
        int size = rowBytes * h;
        byte[] data;
        if (size < 12) {
            data = t.read(size);
        } else {
            tight[stream].setInput(t.read(compactLength()));
            data = new byte[size];
            try {
                int got = 0;
                while (got < size) {
                    int n = tight[stream].inflate(data, got, size - got);
                    if (n == 0 && (tight[stream].needsInput() || tight[stream].finished())) {
                        throw new IOException("Tight data short: " + got + " of " + size);
                    }
                    got += n;
                }
            } catch (DataFormatException e) {
                throw new IOException(e);
            }
        }
        ByteBuffer d = ByteBuffer.wrap(data);
        for (int yy = 0; yy < h; yy++) {
            for (int xx = 0; xx < w; xx++) {
                int c;
                if (pal == null) {
                    c = tpixel(d);
                } else if (pal.length == 2) {
                    c = pal[(data[yy * rowBytes + xx / 8] >> (7 - xx % 8)) & 1];
                } else {
                    c = pal[data[yy * rowBytes + xx] & 0xff];
                }
                fb[(y + yy) * width + x + xx] = c;
            }
        }
    }

    private int compactLength() throws IOException {
        int len = 0;
        for (int shift = 0; shift < 21; shift += 7) {
            int b = t.read(1)[0] & 0xff;
            len |= (shift == 14 ? b : b & 0x7f) << shift;
            if (shift == 14 || (b & 0x80) == 0) {
                break;
            }
        }
        return len;
    }

    private static int tpixel(ByteBuffer d) {
        return (d.get() & 0xff) << 16 | (d.get() & 0xff) << 8 | (d.get() & 0xff);
    }

    private static byte[] inflateAll(Inflater in) throws IOException {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        try {
            int n;
            while ((n = in.inflate(buf)) > 0) {
                o.write(buf, 0, n);
            }
        } catch (DataFormatException e) {
            throw new IOException(e);
        }
        return o.toByteArray();
    }

    // ---- end -----------------------------------------------------------------------------------------------------

    /** True when the peer closed (EOF, reset or a close frame) within the time. */
    public boolean awaitClosed(long millis) throws IOException {
        return t.awaitClosed(millis);
    }

    /** The WebSocket close frame's status code and reason ("4001 resume: broker_drained"), or null (none, or TCP). */
    public String closeStatus() {
        return t.closeStatus();
    }

    /** True when the server closes within 10 s. */
    public boolean closedByServer() throws IOException {
        return awaitClosed(10_000);
    }

    @Override
    public void close() {
        zrle.end();
        for (Inflater i : tight) {
            i.end();
        }
        t.close();
    }

    /** Bytes in and out, blocking reads with a timeout. */
    interface Transport extends AutoCloseable {
        void write(byte[] b) throws IOException;

        byte[] read(int n) throws IOException;

        /** True when the peer closed (reads -1 / close frame) within the timeout. */
        boolean awaitClosed(long millis) throws IOException;

        /** The close frame's code and reason, where the transport has one. */
        default String closeStatus() {
            return null;
        }

        @Override
        void close();
    }

    /** For {@link SocketTransport#startTls}: the upgraded socket. */
    static SSLSocket wrap(SSLContext ctx, Socket s, String host, int port) throws IOException {
        SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(s, host, port, true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        return tls;
    }
}
