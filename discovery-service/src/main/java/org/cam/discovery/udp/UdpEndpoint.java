package org.cam.discovery.udp;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import org.cam.discovery.config.DiscoveryConfig;
import org.jboss.logging.Logger;

/**
 * The one UDP socket: bound to the answer port (3080) with SO_REUSEADDR and SO_BROADCAST. It receives ANNOUNCE
 * and REPLY and sends every DISCOVER, so devices' answers come back to the port the DISCOVER came from. If the
 * port is busy the bind is retried; readiness is DOWN until it succeeds.
 */
@ApplicationScoped
public class UdpEndpoint {

    private static final Logger LOG = Logger.getLogger(UdpEndpoint.class);

    /** Fired once the socket is bound (the start-up scan waits for it). */
    public record Bound(int port) {
    }

    @Inject
    Vertx vertx;

    @Inject
    DiscoveryConfig config;

    @Inject
    DatagramIngest ingest;

    @Inject
    WireCodec codec;

    @Inject
    Event<Bound> boundEvent;

    private volatile DatagramSocket socket;
    private volatile int localPort = -1;
    private volatile boolean stopped;

    void start(@Observes StartupEvent ev) throws Exception {
        codec.codec(); // a malformed site key must stop the service now, not at the first datagram
        try {
            // Wait for the first attempt so a normal start is ready when start-up ends.
            bind().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("UDP bind to %s:%d failed (%s); retrying every %s", config.udp().bindAddress(),
                    config.udp().port(), rootMessage(e), config.udp().bindRetry());
            scheduleRetry();
        }
    }

    private Future<DatagramSocket> bind() {
        // Not DatagramSocketOptions.setReceiveBufferSize: Vert.x would also size Netty's per-read buffer to it and
        // allocate (and zero) megabytes for every datagram. SO_RCVBUF is set on the channel after the bind.
        DatagramSocket s = vertx.createDatagramSocket(new DatagramSocketOptions()
                .setReuseAddress(true)
                .setBroadcast(true));
        s.handler(p -> ingest.handle(p.data().getBytes(), p.sender().host(), p.sender().port()));
        return s.listen(config.udp().port(), config.udp().bindAddress())
                .onSuccess(bound -> {
                    setKernelReceiveBuffer(bound, config.udp().receiveBufferBytes());
                    socket = bound;
                    localPort = bound.localAddress().port();
                    LOG.infof("discovery UDP listening on %s:%d", config.udp().bindAddress(), localPort);
                    boundEvent.fire(new Bound(localPort));
                })
                .onFailure(e -> s.close());
    }

    /**
     * Sets SO_RCVBUF on the Netty channel under the Vert.x socket (reached by reflection: Vert.x 4 offers no
     * other way to set it without the allocation problem above). A large kernel buffer absorbs a fleet booting at
     * once; the kernel caps it at net.core.rmem_max. Without it the service still works with the kernel default.
     */
    private static void setKernelReceiveBuffer(DatagramSocket socket, int bytes) {
        try {
            java.lang.reflect.Field f = socket.getClass().getDeclaredField("channel");
            f.setAccessible(true);
            io.netty.channel.socket.DatagramChannel ch = (io.netty.channel.socket.DatagramChannel) f.get(socket);
            ch.config().setReceiveBufferSize(bytes);
            LOG.debugf("SO_RCVBUF requested %d, kernel granted %d", bytes, ch.config().getReceiveBufferSize());
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warnf("cannot set SO_RCVBUF (%s); using the kernel default", e.toString());
        }
    }

    private void scheduleRetry() {
        if (stopped) {
            return;
        }
        vertx.setTimer(config.udp().bindRetry().toMillis(), id -> bind().onFailure(e -> {
            LOG.debugf("UDP bind retry failed: %s", e.getMessage());
            scheduleRetry();
        }));
    }

    void stop(@Observes ShutdownEvent ev) {
        stopped = true;
        DatagramSocket s = socket;
        socket = null;
        if (s != null) {
            s.close();
        }
    }

    public boolean isBound() {
        return socket != null;
    }

    /** The bound port (useful when configured as 0), or -1 before the bind. */
    public int localPort() {
        return localPort;
    }

    /** Sends one datagram; the future fails when the socket is not bound or the kernel refuses. */
    public Future<Void> send(byte[] data, String host, int port) {
        DatagramSocket s = socket;
        if (s == null) {
            return Future.failedFuture("UDP socket not bound");
        }
        return s.send(Buffer.buffer(data), port, host);
    }

    public Vertx vertx() {
        return vertx;
    }

    private static String rootMessage(Throwable e) {
        while (e.getCause() != null) {
            e = e.getCause();
        }
        return e.toString();
    }
}
