package org.cam.broker.relay;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

/** A client on 9900 (plain) or 9901 (VeNCrypt: plain until TLS starts inside RFB). */
public final class NetSocketLink implements ClientLink {

    private final NetSocket socket;
    private final String listener;

    public NetSocketLink(NetSocket socket, String listener, int writeQueueMaxBytes) {
        this.socket = socket;
        this.listener = listener;
        socket.setWriteQueueMaxSize(writeQueueMaxBytes);
    }

    @Override
    public void handler(Handler<Buffer> handler) {
        socket.handler(handler);
    }

    @Override
    public void closeHandler(Handler<Void> handler) {
        socket.closeHandler(handler);
    }

    @Override
    public void write(Buffer data) {
        socket.write(data);
    }

    @Override
    public void writeDirect(ByteBuf data) {
        ((NetSocketInternal) socket).writeMessage(data);
    }

    @Override
    public boolean writeQueueFull() {
        return socket.writeQueueFull();
    }

    @Override
    public void drainHandler(Handler<Void> handler) {
        socket.drainHandler(handler);
    }

    @Override
    public void pause() {
        socket.pause();
    }

    @Override
    public void resume() {
        socket.resume();
    }

    @Override
    public void close(String reason) {
        socket.close();
    }

    @Override
    public String remoteAddress() {
        return socket.remoteAddress() == null ? "unknown" : socket.remoteAddress().hostAddress();
    }

    @Override
    public io.vertx.core.Future<Void> upgradeToTls() {
        return socket.upgradeToSsl();
    }

    @Override
    public String listener() {
        return listener;
    }
}
