package org.cam.replication.monitor;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;
import java.util.concurrent.TimeUnit;
import org.cam.replication.config.ReplicationConfig;
import org.jboss.logging.Logger;

/**
 * HAProxy's agent-check protocol for the database entry point: HAProxy connects, sends the server's node name
 * (its {@code agent-send}, e.g. {@code 127.0.0.1:13306\n}), and reads one line: {@code up} for the node this
 * monitor names primary, {@code down} for any other, so HAProxy routes to the primary alone and, with
 * {@code on-marked-down shutdown-sessions}, cuts the connections still open to a node that stopped being it.
 *
 * <p>Why an agent and not an HTTP check: HAProxy ignores an agent it cannot reach and keeps the servers' last
 * state, while a failed HTTP check marks the server down. So when the monitor itself is down there is no failover
 * (nobody decides one) and writes go on to the current primary, which is what a monitor outage must mean. Before
 * the first observation the monitor does not answer at all (same effect). The HTTP form of the same check is
 * {@code GET /api/v1/replication/nodes/{node}/primary}.
 */
@ApplicationScoped
public class RoleAgent {

    private static final Logger LOG = Logger.getLogger(RoleAgent.class);
    private static final long READ_TIMEOUT_MS = 2000;

    @Inject
    ReplicationConfig config;

    @Inject
    MonitorService monitor;

    @Inject
    Vertx vertx;

    private NetServer server;

    // after MonitorService's start (default observer priority APPLICATION + 500): waiting for the bind on a loaded
    // machine must not delay the first observation
    void onStart(@Observes @Priority(Interceptor.Priority.APPLICATION + 600) StartupEvent ev) throws Exception {
        if (config.agent().port().isEmpty()) {
            return;
        }
        server = vertx.createNetServer(new NetServerOptions().setHost(config.agent().host())
                .setPort(config.agent().port().get()));
        server.connectHandler(this::serve);
        server.listen().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        LOG.infof("HAProxy agent-check listener on %s:%d", config.agent().host(), server.actualPort());
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (server != null) {
            server.close();
        }
    }

    /** The port bound (tests bind 0). */
    public int port() {
        return server == null ? -1 : server.actualPort();
    }

    private void serve(NetSocket socket) {
        long timer = vertx.setTimer(READ_TIMEOUT_MS, t -> socket.close());
        RecordParser lines = RecordParser.newDelimited("\n", line -> {
            vertx.cancelTimer(timer);
            String answer = answer(line.toString().strip());
            if (answer == null) {
                socket.close();   // no verdict yet: HAProxy keeps the server's state
            } else {
                socket.end(Buffer.buffer(answer + "\n"));
            }
        });
        lines.maxRecordSize(256);
        lines.exceptionHandler(e -> socket.close());
        socket.handler(lines);
        socket.exceptionHandler(e -> socket.close());
    }

    String answer(String node) {
        Boolean primary = monitor.engine().namesPrimary(node);
        if (primary == null) {
            return null;
        }
        return primary ? "up" : "down";
    }
}
