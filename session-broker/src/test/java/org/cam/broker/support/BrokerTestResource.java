package org.cam.broker.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.Map;
import org.cam.protocol.ticket.TicketKeys;

/**
 * Starts what the broker talks to before Quarkus starts: the management-api double and the ticket key pair. The
 * broker's own listeners bind to port 0; tests read the real ports from the Listeners bean.
 */
public final class BrokerTestResource implements QuarkusTestResourceLifecycleManager {

    public static final String KEY_ID = "test-key";
    public static volatile Vertx vertx;
    public static volatile ManagementDouble management;
    public static volatile KeyPair ticketKeys;
    /** Where the broker writes recordings (and its spool): fresh temporary directories per run. */
    public static volatile java.nio.file.Path recordings;
    public static volatile java.nio.file.Path spool;

    @Override
    public Map<String, String> start() {
        try {
            vertx = Vertx.vertx();
            management = new ManagementDouble();
            int port = management.start(vertx);
            ticketKeys = TicketKeys.generate();
            Map<String, String> cfg = new HashMap<>();
            cfg.put("quarkus.rest-client.management-api.url", "http://127.0.0.1:" + port);
            cfg.put("cam.broker.management.token", ManagementDouble.TOKEN);
            cfg.put("cam.broker.management.heartbeat-interval", "300ms");
            cfg.put("cam.broker.broker-id", "broker-test");
            cfg.put("cam.broker.host", "127.0.0.1");
            cfg.put("cam.broker.plain-port", "0");
            cfg.put("cam.broker.tls-port", "0");
            cfg.put("cam.broker.websocket-port", "0");
            cfg.put("cam.broker.relay.handshake-timeout", "5s");
            cfg.put("cam.broker.drain-grace", "2s");
            cfg.put("cam.broker.ticket.public-keys.auto", "/nonexistent/ticket-public.pem");
            cfg.put("cam.broker.ticket.public-keys." + KEY_ID, TicketKeys.toPem(ticketKeys.getPublic()));
            recordings = java.nio.file.Files.createTempDirectory("cam-recordings");
            spool = java.nio.file.Files.createTempDirectory("cam-spool");
            cfg.put("cam.broker.recording.storage-dir", recordings.toString());
            cfg.put("cam.broker.recording.spool-dir", spool.toString());
            // Short so a test sees segments and keyframes within a second or two.
            cfg.put("cam.broker.recording.segment-interval", "200ms");
            cfg.put("cam.broker.recording.keyframe-interval", "700ms");
            return cfg;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
