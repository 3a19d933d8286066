package org.cam.broker.support;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cam.protocol.rfb.ClientMessage;
import org.cam.protocol.rfb.Encodings;
import org.cam.protocol.rfb.Handshake;
import org.cam.protocol.rfb.RfbVersion;
import org.cam.protocol.rfb.SecurityType;
import org.cam.protocol.rfb.ServerInit;
import org.cam.protocol.rfb.VncAuth;

/** A small blocking RFB client for tests, over a TCP socket or a WebSocket. */
public final class RfbTestClient implements AutoCloseable {

    /** Bytes in and out, blocking reads with a timeout. */
    public interface Transport extends AutoCloseable {
        void write(byte[] b) throws IOException;

        byte[] read(int n) throws IOException;

        /** True when the peer closed (reads -1 / close frame) within the timeout. */
        boolean awaitClosed(long millis) throws IOException;

        @Override
        void close();
    }

    private final Transport t;
    private ServerInit serverInit;
    private RfbVersion version = RfbVersion.V3_8;

    public RfbTestClient(Transport t) {
        this.t = t;
    }

    public static RfbTestClient tcp(String host, int port) throws IOException {
        return new RfbTestClient(new SocketTransport(new Socket(host, port)));
    }

    /** Over an already connected socket (e.g. TLS). */
    public static RfbTestClient over(Socket socket) throws IOException {
        return new RfbTestClient(new SocketTransport(socket));
    }

    public static RfbTestClient webSocket(Vertx vertx, int port, String query, String firstText) throws Exception {
        return new RfbTestClient(new WebSocketTransport(vertx, port, query, firstText));
    }

    public RfbTestClient version(RfbVersion v) {
        this.version = v;
        return this;
    }

    /**
     * The handshake with VNC auth ({@code password} non-null) or None. Returns the SecurityResult: true when
     * accepted (then ServerInit has been read).
     */
    /** The server's reason for a failed SecurityResult (RFB 3.8), or null. */
    public String failureReason;

    public boolean handshake(String password) throws IOException, org.cam.protocol.ProtocolException {
        RfbVersion.decode(t.read(12), 0, 12);
        t.write(version.encode());
        int type;
        if (version.negotiatesSecurityTypes()) {
            int n = t.read(1)[0] & 0xff;
            if (n == 0) {
                return false;
            }
            byte[] types = t.read(n);
            type = types[0] & 0xff;
            t.write(new byte[] {(byte) type});
        } else {
            type = ByteBuffer.wrap(t.read(4)).getInt();
            if (type == 0) {
                return false;
            }
        }
        if (type == SecurityType.VENCRYPT) {
            veNCryptX509Vnc();
            type = SecurityType.VNC_AUTH;
        }
        if (type == SecurityType.VNC_AUTH) {
            byte[] challenge = t.read(16);
            t.write(VncAuth.response(challenge, password == null ? "" : password));
        } else if (type != SecurityType.NONE) {
            throw new IOException("unexpected security type " + type);
        }
        if (type == SecurityType.VNC_AUTH || version == RfbVersion.V3_8) {
            int result;
            try {
                result = ByteBuffer.wrap(t.read(4)).getInt();
            } catch (EOFException e) {
                return false;
            }
            if (result != Handshake.RESULT_OK) {
                if (version == RfbVersion.V3_8) {
                    failureReason = new String(t.read(ByteBuffer.wrap(t.read(4)).getInt()),
                            java.nio.charset.StandardCharsets.UTF_8);
                }
                return false;
            }
        }
        t.write(new byte[] {1});
        byte[] head = t.read(24);
        int nameLen = ByteBuffer.wrap(head, 20, 4).getInt();
        byte[] all = new byte[24 + nameLen];
        System.arraycopy(head, 0, all, 0, 24);
        System.arraycopy(t.read(nameLen), 0, all, 24, nameLen);
        serverInit = ServerInit.decode(all, 0, all.length);
        t.write(new ClientMessage.SetEncodings(List.of(Encodings.RAW)).encode());
        return true;
    }

    /** The TLS session VeNCrypt started, or null. */
    public javax.net.ssl.SSLSession tlsSession;

    /** VeNCrypt 0.2, sub-type X509Vnc, TLS (trusting the broker's test certificate); VNC auth follows. */
    private void veNCryptX509Vnc() throws IOException {
        byte[] v = t.read(2);
        if (v[0] != 0 || v[1] != 2) {
            throw new IOException("VeNCrypt version " + v[0] + "." + v[1]);
        }
        t.write(new byte[] {0, 2});
        if (t.read(1)[0] != 0) {
            throw new IOException("VeNCrypt version refused");
        }
        int n = t.read(1)[0] & 0xff;
        List<Integer> subtypes = new java.util.ArrayList<>();
        ByteBuffer st = ByteBuffer.wrap(t.read(4 * n));
        for (int i = 0; i < n; i++) {
            subtypes.add(st.getInt());
        }
        if (!subtypes.contains(org.cam.protocol.rfb.VeNCrypt.X509_VNC)) {
            throw new IOException("no X509Vnc in " + subtypes);
        }
        t.write(org.cam.protocol.rfb.VeNCrypt.u32(org.cam.protocol.rfb.VeNCrypt.X509_VNC));
        if (t.read(1)[0] != 1) {
            throw new IOException("X509Vnc refused");
        }
        tlsSession = ((SocketTransport) t).startTls();
    }

    public ServerInit serverInit() {
        return serverInit;
    }

    public void send(ClientMessage m) throws IOException {
        t.write(m.encode());
    }

    public void sendRaw(byte[] b) throws IOException {
        t.write(b);
    }

    public void typeKey(int keysym) throws IOException {
        send(new ClientMessage.KeyEvent(true, keysym));
        send(new ClientMessage.KeyEvent(false, keysym));
    }

    /**
     * Asks for a full update of a small region and reads server messages until that update has arrived. Because
     * the relay keeps order, the device has then handled everything sent before. Returns the raw pixel bytes.
     */
    public int requestAndAwaitUpdate(int w, int h) throws IOException {
        send(new ClientMessage.FramebufferUpdateRequest(false, 0, 0, w, h));
        while (true) {
            int type = t.read(1)[0] & 0xff;
            if (type == 0) {
                t.read(1);
                int rects = ByteBuffer.wrap(t.read(2)).getShort() & 0xffff;
                int pixels = 0;
                for (int i = 0; i < rects; i++) {
                    ByteBuffer r = ByteBuffer.wrap(t.read(12));
                    int rw = r.getShort(4) & 0xffff;
                    int rh = r.getShort(6) & 0xffff;
                    int enc = r.getInt(8);
                    if (enc != Encodings.RAW) {
                        throw new IOException("unexpected encoding " + enc);
                    }
                    t.read(rw * rh * serverInit.pixelFormat().bytesPerPixel());
                    pixels += rw * rh;
                }
                return pixels;
            } else if (type == 2) {
                continue; // bell
            } else if (type == 3) {
                t.read(3);
                int len = ByteBuffer.wrap(t.read(4)).getInt();
                t.read(len);
            } else {
                throw new IOException("unexpected server message " + type);
            }
        }
    }

    /**
     * Reads one whole server message, whatever it is, and returns its bytes (small messages only: it reads byte by
     * byte). Do not mix with {@link #requestAndAwaitUpdate}, which reads on its own.
     */
    public byte[] readMessage() throws IOException, org.cam.protocol.ProtocolException {
        if (framer == null) {
            framer = new org.cam.protocol.rfb.ServerMessageFramer(serverInit.pixelFormat());
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        while (true) {
            byte[] b = t.read(1);
            out.writeBytes(b);
            if (framer.advance(ByteBuffer.wrap(b))) {
                return out.toByteArray();
            }
        }
    }

    /** Tells {@link #readMessage} that the client asked for this pixel format. */
    public void pixelFormat(org.cam.protocol.rfb.PixelFormat pf) throws IOException {
        send(new ClientMessage.SetPixelFormat(pf));
        if (framer == null) {
            framer = new org.cam.protocol.rfb.ServerMessageFramer(serverInit.pixelFormat());
        }
        framer.pixelFormat(pf);
    }

    /** Tells {@link #readMessage} the format changed now (without sending anything). */
    public void pixelFormatOnly(org.cam.protocol.rfb.PixelFormat pf) {
        framer = new org.cam.protocol.rfb.ServerMessageFramer(pf);
    }

    private org.cam.protocol.rfb.ServerMessageFramer framer;

    public boolean awaitClosed(long millis) throws IOException {
        return t.awaitClosed(millis);
    }

    @Override
    public void close() {
        t.close();
    }

    /** Plain TCP. */
    static final class SocketTransport implements Transport {
        private Socket s;
        private InputStream in;
        private OutputStream out;

        /** TLS from here on, over the same connection; trusts any certificate (the broker's is a test one). */
        javax.net.ssl.SSLSession startTls() throws IOException {
            try {
                javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
                ctx.init(null, new javax.net.ssl.TrustManager[] {new javax.net.ssl.X509TrustManager() {
                    @Override
                    public void checkClientTrusted(java.security.cert.X509Certificate[] c, String a) {
                    }

                    @Override
                    public void checkServerTrusted(java.security.cert.X509Certificate[] c, String a) {
                    }

                    @Override
                    public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                        return new java.security.cert.X509Certificate[0];
                    }
                }}, null);
                javax.net.ssl.SSLSocket tls = (javax.net.ssl.SSLSocket) ctx.getSocketFactory().createSocket(s,
                        s.getInetAddress().getHostAddress(), s.getPort(), true);
                tls.startHandshake();
                s = tls;
                in = new java.io.BufferedInputStream(tls.getInputStream(), 1 << 16);
                out = tls.getOutputStream();
                return tls.getSession();
            } catch (java.security.GeneralSecurityException e) {
                throw new IOException(e);
            }
        }

        SocketTransport(Socket s) throws IOException {
            this.s = s;
            s.setSoTimeout(15_000);
            s.setTcpNoDelay(true);
            // Buffered: readMessage() reads byte by byte.
            this.in = new java.io.BufferedInputStream(s.getInputStream(), 1 << 16);
            this.out = s.getOutputStream();
        }

        @Override
        public void write(byte[] b) throws IOException {
            out.write(b);
            out.flush();
        }

        @Override
        public byte[] read(int n) throws IOException {
            byte[] b = in.readNBytes(n);
            if (b.length != n) {
                throw new EOFException("closed before " + n + " bytes");
            }
            return b;
        }

        @Override
        public boolean awaitClosed(long millis) throws IOException {
            s.setSoTimeout((int) millis);
            byte[] b = new byte[65536];
            try {
                while (true) {
                    if (in.read(b) < 0) {
                        return true;
                    }
                }
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset counts as closed
            }
        }

        @Override
        public void close() {
            try {
                s.close();
            } catch (IOException e) {
                // closing
            }
        }
    }

    /** Binary WebSocket over TLS (trusting the broker's self-signed certificate). */
    static final class WebSocketTransport implements Transport {
        private final WebSocketClient client;
        private final WebSocket ws;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
        private boolean closed;

        WebSocketTransport(Vertx vertx, int port, String query, String firstText) throws Exception {
            client = vertx.createWebSocketClient(new WebSocketClientOptions().setSsl(true).setTrustAll(true)
                    .setVerifyHost(false).setMaxFrameSize(1 << 20).setMaxMessageSize(16 << 20));
            // Handlers go on in the connect callback, on the event loop: a broker that refuses at once must not
            // close the WebSocket before we listen.
            ws = client.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                            .setURI("/websockify" + (query == null ? "" : "?" + query))
                            .setSubProtocols(List.of("binary")))
                    .map(w -> {
                        w.handler(b -> {
                            synchronized (buf) {
                                buf.writeBytes(b.getBytes());
                                buf.notifyAll();
                            }
                        });
                        w.closeHandler(v -> {
                            synchronized (buf) {
                                closed = true;
                                buf.notifyAll();
                            }
                        });
                        return w;
                    })
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            if (firstText != null) {
                ws.writeTextMessage(firstText);
            }
        }

        @Override
        public void write(byte[] b) {
            ws.writeBinaryMessage(Buffer.buffer(b));
        }

        @Override
        public byte[] read(int n) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            synchronized (buf) {
                while (buf.size() < n) {
                    if (closed) {
                        throw new EOFException("closed before " + n + " bytes");
                    }
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        throw new SocketTimeoutException("timeout waiting for " + n + " bytes");
                    }
                    waitOn(left);
                }
                byte[] all = buf.toByteArray();
                buf.reset();
                buf.write(all, n, all.length - n);
                byte[] out = new byte[n];
                System.arraycopy(all, 0, out, 0, n);
                return out;
            }
        }

        private void waitOn(long millis) throws IOException {
            try {
                buf.wait(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        @Override
        public boolean awaitClosed(long millis) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            synchronized (buf) {
                while (!closed) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left <= 0) {
                        return false;
                    }
                    waitOn(left);
                }
                return true;
            }
        }

        public short closeStatus() {
            return ws.closeStatusCode() == null ? -1 : ws.closeStatusCode();
        }

        @Override
        public void close() {
            ws.close();
            client.close();
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
