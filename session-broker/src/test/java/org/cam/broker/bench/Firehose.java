package org.cam.broker.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import java.util.concurrent.TimeUnit;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.rfb.ClientMessage;
import org.cam.protocol.rfb.ClientMessageParser;
import org.cam.protocol.rfb.PixelFormat;
import org.cam.protocol.rfb.RfbVersion;
import org.cam.protocol.rfb.ServerInit;

/**
 * A benchmark device: an RFB 3.8 server (security None) that answers a full-screen FramebufferUpdateRequest by
 * streaming raw 1024x768x32 updates back to back for as long as the viewer reads (with backpressure), and any
 * smaller request with an empty update (4 bytes) at once: the throughput and the latency probe.
 */
final class Firehose {

    static final int W = 1024;
    static final int H = 768;

    private final Buffer frame;
    private NetServer server;

    Firehose() {
        byte[] f = new byte[4 + 12 + W * H * 4];
        f[0] = 0;
        f[3] = 1; // one rectangle
        f[8] = (byte) (W >> 8);
        f[9] = (byte) W;
        f[10] = (byte) (H >> 8);
        f[11] = (byte) H;
        // encoding 0 (raw) in bytes 12..15; pixels: a gradient so nothing along the way can shortcut zeros
        for (int i = 16; i < f.length; i++) {
            f[i] = (byte) (i * 31);
        }
        frame = Buffer.buffer(f);
    }

    int start(Vertx vertx) throws Exception {
        server = vertx.createNetServer(new NetServerOptions().setHost("127.0.0.1").setPort(0).setTcpNoDelay(true)
                .setAcceptBacklog(4096)).connectHandler(this::serve);
        return server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).actualPort();
    }

    private void serve(NetSocket s) {
        s.setWriteQueueMaxSize(1 << 20);
        int[] stage = {0};
        Buffer[] pending = {Buffer.buffer()};
        ClientMessageParser parser = new ClientMessageParser();
        boolean[] streaming = {false};
        s.closeHandler(v -> closed.add(s));
        s.write(Buffer.buffer(RfbVersion.V3_8.encode()));
        s.handler(b -> {
            if (stage[0] == 3) {
                byte[] bytes = b.getBytes();
                parser.feed(bytes);
                try {
                    ClientMessageParser.Frame fr;
                    while ((fr = parser.next()) != null) {
                        if (fr.message() instanceof ClientMessage.FramebufferUpdateRequest r) {
                            if (!r.incremental() && r.width() >= W && r.height() >= H) {
                                if (!streaming[0]) {
                                    streaming[0] = true;
                                    pump(s);
                                }
                            } else {
                                s.write(Buffer.buffer(new byte[] {0, 0, 0, 0}));
                            }
                        }
                    }
                } catch (ProtocolException e) {
                    s.close();
                }
                return;
            }
            pending[0].appendBuffer(b);
            while (true) {
                Buffer p = pending[0];
                if (stage[0] == 0 && p.length() >= 12) {
                    pending[0] = p.getBuffer(12, p.length());
                    s.write(Buffer.buffer(new byte[] {1, 1}));
                    stage[0] = 1;
                } else if (stage[0] == 1 && p.length() >= 1) {
                    pending[0] = p.getBuffer(1, p.length());
                    s.write(Buffer.buffer(new byte[] {0, 0, 0, 0}));
                    stage[0] = 2;
                } else if (stage[0] == 2 && p.length() >= 1) {
                    pending[0] = p.getBuffer(1, p.length());
                    s.write(Buffer.buffer(new ServerInit(W, H, PixelFormat.RGB888, "firehose").encode()));
                    stage[0] = 3;
                    if (pending[0].length() > 0) {
                        parser.feed(pending[0].getBytes());
                    }
                    return;
                } else {
                    return;
                }
            }
        });
    }

    private final java.util.Set<NetSocket> closed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private void pump(NetSocket s) {
        while (!s.writeQueueFull() && !closed.contains(s)) {
            s.write(frame);
        }
        s.drainHandler(v -> pump(s));
    }
}
