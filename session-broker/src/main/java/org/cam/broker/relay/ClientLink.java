package org.cam.broker.relay;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * The client side of a session, whatever carries it: a TCP/TLS socket (9900/9901) or a WebSocket (9902). Only
 * what the relay needs: bytes in, bytes out, flow control, close.
 */
public interface ClientLink {

    /** Bytes from the client (RFB stream; WebSocket framing already removed). */
    void handler(Handler<Buffer> handler);

    /** Called once when the client's connection is gone. */
    void closeHandler(Handler<Void> handler);

    void write(Buffer data);

    /**
     * Writes a Netty buffer straight from the device's channel and takes ownership of it (releases it). On TCP/TLS
     * this moves the pooled buffer from one channel to the other without copying it.
     */
    void writeDirect(ByteBuf data);

    boolean writeQueueFull();

    void drainHandler(Handler<Void> handler);

    void pause();

    void resume();

    /** Closes; {@code reason} goes where the transport can carry it (WebSocket close frame). */
    void close(String reason);

    /** Whether the client can resume the session elsewhere (a browser console; stock VNC clients cannot). */
    default boolean canResume() {
        return false;
    }

    /** Closes asking the client to resume the session on another broker ({@link #canResume()} clients only). */
    default void closeForResume(String reason) {
        close("ended: " + reason);
    }

    String remoteAddress();

    /** Starts TLS on this connection as the server (VeNCrypt on 9901), with the listener's certificate. */
    default io.vertx.core.Future<Void> upgradeToTls() {
        return io.vertx.core.Future.failedFuture(new IllegalStateException("no TLS upgrade on " + listener()));
    }

    /** Which listener accepted it: plain, tls or websocket (metric label). */
    String listener();
}
