package org.cam.broker.support;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.rfb.ClientMessage;
import org.cam.protocol.rfb.ClientMessageParser;
import org.cam.protocol.rfb.PixelFormat;
import org.cam.protocol.rfb.ServerInit;
import org.cam.protocol.rfb.VncAuth;

/**
 * An RFB server on a real socket whose test decides what it sends after ServerInit (any server message, including
 * the extensions real servers use), and which records every client message it receives, parsed. One connection.
 */
public final class ScriptedDevice implements AutoCloseable {

    /** Loopback address of this module's own tests (127.0.82.0/24, ports 22000-22999). */
    public static final String HOST = "127.0.82.1";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ServerSocket server;
    private final String password;
    /** VeNCrypt X509Plain instead of None/VNC auth: the TLS context and the username expected. */
    private final javax.net.ssl.SSLContext tls;
    private final String username;
    private volatile String plainSeen;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final BlockingQueue<ClientMessage> received = new LinkedBlockingQueue<>();
    private volatile Socket socket;
    private volatile OutputStream out;
    private volatile ProtocolException failure;

    private ScriptedDevice(ServerSocket server, String password, javax.net.ssl.SSLContext tls, String username) {
        this.server = server;
        this.password = password;
        this.tls = tls;
        this.username = username;
        Thread t = new Thread(this::serve, "scripted-device-" + server.getLocalPort());
        t.setDaemon(true);
        t.start();
    }

    /** @param password VNC Authentication with this password, or null for security type None */
    public static ScriptedDevice start(String password) throws IOException {
        return new ScriptedDevice(bindInRange(HOST), password, null, null);
    }

    /**
     * Offers only VeNCrypt with sub-type X509Plain: TLS with this certificate and key (PEM; the key PKCS#8 EC),
     * then expects this username and password.
     */
    public static ScriptedDevice startX509Plain(java.nio.file.Path certPem, java.nio.file.Path keyPem,
                                                String username, String password) throws Exception {
        java.security.cert.Certificate cert = java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(java.nio.file.Files.newInputStream(certPem));
        String pem = java.nio.file.Files.readString(keyPem).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        java.security.PrivateKey key = java.security.KeyFactory.getInstance("EC").generatePrivate(
                new java.security.spec.PKCS8EncodedKeySpec(java.util.Base64.getDecoder().decode(pem)));
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("device", key, new char[0], new java.security.cert.Certificate[] {cert});
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return new ScriptedDevice(bindInRange(HOST), password, ctx, username);
    }

    /** The Plain credentials the broker sent inside TLS ("user:password"), or null. */
    public String plainSeen() {
        return plainSeen;
    }

    /** A listening socket on {@code host} with a free port in 22000-22999. */
    public static ServerSocket bindInRange(String host) throws IOException {
        int first = 22000 + RANDOM.nextInt(1000);
        for (int i = 0; i < 1000; i++) {
            int port = 22000 + (first - 22000 + i) % 1000;
            try {
                return new ServerSocket(port, 8, InetAddress.getByName(host));
            } catch (BindException taken) {
                // try the next one
            }
        }
        throw new BindException("no free port in 22000-22999 on " + host);
    }

    public int port() {
        return server.getLocalPort();
    }

    private void serve() {
        try (Socket s = server.accept()) {
            socket = s;
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream o = s.getOutputStream();
            o.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
            in.readFully(new byte[12]);
            if (tls != null) {
                o.write(new byte[] {1, 19});
                in.readByte();
                o.write(new byte[] {0, 2});
                in.readFully(new byte[2]);
                o.write(new byte[] {0, 1, 0, 0, 1, 6});   // ok; one sub-type: 262 X509Plain
                in.readInt();
                o.write(1);
                o.flush();
                javax.net.ssl.SSLSocket t = (javax.net.ssl.SSLSocket) tls.getSocketFactory().createSocket(s, null,
                        true);
                t.setUseClientMode(false);
                t.startHandshake();
                in = new DataInputStream(t.getInputStream());
                o = t.getOutputStream();
                byte[] u = new byte[in.readInt()];
                byte[] p = new byte[in.readInt()];
                in.readFully(u);
                in.readFully(p);
                plainSeen = new String(u, StandardCharsets.UTF_8) + ":" + new String(p, StandardCharsets.UTF_8);
                boolean ok = plainSeen.equals(username + ":" + password);
                o.write(new byte[] {0, 0, 0, (byte) (ok ? 0 : 1)});
                if (!ok) {
                    o.write(new byte[] {0, 0, 0, 0});
                    return;
                }
            } else if (password == null) {
                o.write(new byte[] {1, 1});
                in.readByte();
                o.write(new byte[4]);
            } else {
                o.write(new byte[] {1, 2});
                in.readByte();
                byte[] challenge = VncAuth.challenge(RANDOM);
                o.write(challenge);
                byte[] response = new byte[16];
                in.readFully(response);
                boolean ok = VncAuth.verify(challenge, response, password);
                o.write(new byte[] {0, 0, 0, (byte) (ok ? 0 : 1)});
                if (!ok) {
                    o.write(new byte[] {0, 0, 0, 0});
                    return;
                }
            }
            in.readByte();
            o.write(new ServerInit(1024, 768, PixelFormat.RGB888, "scripted").encode());
            out = o;
            ready.countDown();
            ClientMessageParser parser = new ClientMessageParser(1 << 20);
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                parser.feed(buf, 0, n);
                for (ClientMessageParser.Frame f : parser.drain()) {
                    received.add(f.message());
                }
            }
        } catch (ProtocolException e) {
            failure = e;
        } catch (IOException | RuntimeException e) {
            // the broker closed: the test looks at what it received
        } finally {
            ready.countDown();
        }
    }

    /** Sends bytes to the client side once the handshake is done. */
    public void send(byte[]... messages) throws IOException, InterruptedException {
        if (!ready.await(10, TimeUnit.SECONDS) || out == null) {
            throw new IOException("no client connected");
        }
        for (byte[] m : messages) {
            out.write(m);
        }
        out.flush();
    }

    /** The next client message that arrived, waiting up to 10 s; null when none did. */
    public ClientMessage next() throws InterruptedException {
        return received.poll(10, TimeUnit.SECONDS);
    }

    /** Client messages up to and including the first equal to {@code marker} (by wire bytes). */
    public List<ClientMessage> until(ClientMessage marker) throws InterruptedException {
        List<ClientMessage> out = new java.util.ArrayList<>();
        while (true) {
            ClientMessage m = next();
            if (m == null) {
                throw new AssertionError("marker never arrived; got " + out + (failure == null ? "" : ", " + failure));
            }
            out.add(m);
            if (java.util.Arrays.equals(m.encode(), marker.encode())) {
                return out;
            }
        }
    }

    /** The parser's complaint about what the broker sent, if any. */
    public ProtocolException failure() {
        return failure;
    }

    @Override
    public void close() throws IOException {
        server.close();
        Socket s = socket;
        if (s != null) {
            s.close();
        }
    }
}
