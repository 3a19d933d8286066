package org.cam.management.support;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A TCP server that greets every connection with a fixed text and closes it: "RFB 003.008\n" passes management-api's
 * banner probe (an RFB-endpoint target reads AVAILABLE), anything else fails it.
 */
public final class RfbBanner implements AutoCloseable {
    public static final String RFB = "RFB 003.008\n";

    private final ServerSocket socket;

    private RfbBanner(ServerSocket socket) {
        this.socket = socket;
    }

    /** Listens on host (a loopback address of the test's own range), any free port. */
    public static RfbBanner start(String host, String greeting) throws Exception {
        ServerSocket s = new ServerSocket();
        s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept(); OutputStream out = c.getOutputStream()) {
                    out.write(greeting.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (Exception e) {
                    // closed: the test is over or stopped this server on purpose
                }
            }
        }, "rfb-banner-" + host);
        t.setDaemon(true);
        t.start();
        return new RfbBanner(s);
    }

    public String host() {
        return socket.getInetAddress().getHostAddress();
    }

    public int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        socket.close();
    }
}
