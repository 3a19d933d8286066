package org.cam.broker.relay;

import io.netty.buffer.ByteBuf;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;

/**
 * A browser on 9902: noVNC's binary RFB over WebSocket. The first text message, if any arrives before the ticket
 * is known, is the ticket; after that only binary data frames carry RFB.
 */
public final class WebSocketLink implements ClientLink {

    private final ServerWebSocket ws;
    private Handler<Buffer> data;
    private Handler<String> text;
    private StringBuilder partialText;
    private io.vertx.core.Vertx vertx;
    private long pingTimer = -1;

    public WebSocketLink(ServerWebSocket ws, int writeQueueMaxBytes) {
        this.ws = ws;
        ws.setWriteQueueMaxSize(writeQueueMaxBytes);
        ws.frameHandler(this::frame);
    }

    /** Where the first text message goes (the ticket when the URL has none). */
    public void textHandler(Handler<String> handler) {
        this.text = handler;
    }

    private void frame(WebSocketFrame f) {
        if (f.isText() || (f.isContinuation() && partialText != null)) {
            if (partialText == null) {
                partialText = new StringBuilder();
            }
            partialText.append(f.textData());
            if (partialText.length() > 4096) {
                close("text message too large");
                return;
            }
            if (f.isFinal()) {
                String s = partialText.toString();
                partialText = null;
                Handler<String> h = text;
                text = null;
                if (h != null) {
                    h.handle(s);
                } else {
                    close("unexpected text message");
                }
            }
        } else if (f.isBinary() || f.isContinuation()) {
            Handler<Buffer> h = data;
            if (h != null) {
                h.handle(f.binaryData());
            }
        }
    }

    @Override
    public void handler(Handler<Buffer> handler) {
        this.data = handler;
    }

    @Override
    public void closeHandler(Handler<Void> handler) {
        ws.closeHandler(v -> {
            stopPings();
            handler.handle(v);
        });
    }

    public void startPings(io.vertx.core.Vertx vertx, long intervalMillis) {
        this.vertx = vertx;
        pingTimer = vertx.setPeriodic(intervalMillis, id -> ping());
    }

    private void stopPings() {
        if (pingTimer >= 0) {
            vertx.cancelTimer(pingTimer);
            pingTimer = -1;
        }
    }

    @Override
    public void write(Buffer buffer) {
        ws.writeBinaryMessage(buffer);
    }

    @Override
    public void writeDirect(ByteBuf data) {
        // A WebSocket frame needs its own buffer; copy once to the heap and give the pooled one back.
        byte[] b = new byte[data.readableBytes()];
        data.readBytes(b);
        data.release();
        ws.writeBinaryMessage(Buffer.buffer(b));
    }

    @Override
    public boolean writeQueueFull() {
        return ws.writeQueueFull();
    }

    @Override
    public void drainHandler(Handler<Void> handler) {
        ws.drainHandler(handler);
    }

    @Override
    public void pause() {
        ws.pause();
    }

    @Override
    public void resume() {
        ws.resume();
    }

    @Override
    public void close(String reason) {
        stopPings();
        if (!ws.isClosed()) {
            // 1000 for a normal end, 1008 (policy) when refused: the browser shows the reason.
            short code = reason == null || reason.startsWith("ended") ? (short) 1000 : (short) 1008;
            String r = reason == null ? "" : reason.length() > 120 ? reason.substring(0, 120) : reason;
            ws.close(code, r);
        }
    }

    /** The close code that asks the console to resume elsewhere (4000-4999: the application's own). */
    public static final short RESUME = 4001;

    @Override
    public boolean canResume() {
        return true;
    }

    @Override
    public void closeForResume(String reason) {
        stopPings();
        if (!ws.isClosed()) {
            ws.close(RESUME, "resume: " + reason);
        }
    }

    public void ping() {
        if (!ws.isClosed()) {
            ws.writePing(Buffer.buffer("cam"));
        }
    }

    /** The ticket from {@code ?ticket=}, or null. */
    public String queryTicket() {
        String q = ws.query();
        if (q == null) {
            return null;
        }
        for (String part : q.split("&")) {
            if (part.startsWith("ticket=")) {
                return java.net.URLDecoder.decode(part.substring(7), java.nio.charset.StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    @Override
    public String remoteAddress() {
        return ws.remoteAddress() == null ? "unknown" : ws.remoteAddress().hostAddress();
    }

    @Override
    public String listener() {
        return "websocket";
    }
}
