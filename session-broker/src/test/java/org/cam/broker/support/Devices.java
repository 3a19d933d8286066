package org.cam.broker.support;

import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.cam.simulator.rfb.ChannelScreen;
import org.cam.simulator.rfb.RfbChannelServer;

/** One simulated device channel (device-simulator's RFB server) on loopback, 1024x768. */
public final class Devices {

    public static final String HOST = "127.0.0.1";

    private Devices() {
    }

    /** @param password the channel credential (VNC auth), or null for security type None */
    public static RfbChannelServer start(Vertx vertx, String password, String name) throws Exception {
        return start(vertx, password, name, () -> null);
    }

    /** @param busy why the channel refuses viewers now (a KVM switch showing another channel), or null */
    public static RfbChannelServer start(Vertx vertx, String password, String name,
                                         java.util.function.Supplier<String> busy) throws Exception {
        ChannelScreen screen = new ChannelScreen(1024, 768, () -> new String[] {name, "device 1 channel 1"},
                Clock.systemUTC());
        RfbChannelServer server = new RfbChannelServer(vertx, HOST, screen, () -> password, () -> name, busy);
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getByName(HOST))) {
            port = probe.getLocalPort();
        }
        server.listen(port).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return server;
    }
}
