package org.cam.broker.listener;

import io.netty.channel.Channel;
import io.vertx.core.Vertx;
import org.cam.broker.relay.Admission;

/**
 * One client connection's place under the {@link ConnectionLimits}, held until its channel closes, or the reason it
 * got none ({@link #refusal()}). Used on the connection's event loop only.
 */
public final class Permit implements Admission {

    private final ConnectionLimits limits;
    private final String address;
    private final ConnectionLimits.Refusal refusal;
    private boolean inHandshake = true;
    private boolean released;
    private long helloTimer = -1;
    private Vertx vertx;
    private Runnable onHelloTimeout;

    Permit(ConnectionLimits limits, String address, ConnectionLimits.Refusal refusal) {
        this.limits = limits;
        this.address = address;
        this.refusal = refusal;
    }

    /** Null when admitted. */
    public ConnectionLimits.Refusal refusal() {
        return refusal;
    }

    public String address() {
        return address;
    }

    /**
     * Ties the permit to its channel: released when the channel closes, and the channel is closed (or the session's
     * own action runs) when the hello timeout fires first.
     */
    void bind(Vertx vertx, Channel channel, Runnable timedOut) {
        this.vertx = vertx;
        this.onHelloTimeout = () -> {
            timedOut.run();
            channel.close();
        };
        // Netty runs close listeners on the channel's event loop, where the rest of this permit's life happens too.
        channel.closeFuture().addListener(f -> release());
        helloTimer = vertx.setTimer(limits.helloTimeoutMillis(), id -> {
            helloTimer = -1;
            if (!released) {
                onHelloTimeout.run();
            }
        });
    }

    @Override
    public void helloDone() {
        if (helloTimer >= 0) {
            vertx.cancelTimer(helloTimer);
            helloTimer = -1;
        }
    }

    @Override
    public void onHelloTimeout(Runnable action) {
        this.onHelloTimeout = action;
    }

    @Override
    public void handshakeDone() {
        if (inHandshake && !released) {
            inHandshake = false;
            limits.handshakeDone();
        }
    }

    @Override
    public boolean takeGuess() {
        return limits.takeGuess(address);
    }

    @Override
    public void guessRight() {
        limits.returnGuess(address);
    }

    private void release() {
        if (released) {
            return;
        }
        released = true;
        helloDone();
        limits.released(address, inHandshake);
        inHandshake = false;
    }
}
