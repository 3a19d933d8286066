package org.cam.testsupport.rfb;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Binary WebSocket over TLS (trusting the broker's self-signed certificate). */
final class WebSocketTransport implements RfbTestClient.Transport {
    private final WebSocketClient client;
    private final WebSocket ws;
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private boolean closed;
    private volatile String closeStatus;

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
                        closeStatus = w.closeStatusCode() == null ? null
                                : w.closeStatusCode() + " " + (w.closeReason() == null ? "" : w.closeReason());
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

    @Override
    public String closeStatus() {
        return closeStatus;
    }

    @Override
    public void close() {
        ws.close();
        client.close();
    }
}
