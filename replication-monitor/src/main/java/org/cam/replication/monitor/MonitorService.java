package org.cam.replication.monitor;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import java.time.Clock;
import org.cam.replication.config.ReplicationConfig;
import org.cam.replication.observe.NodeEndpoint;

/** Owns the {@link MonitorEngine} for the application and starts it with the application. */
@ApplicationScoped
public class MonitorService {

    @Inject
    ReplicationConfig config;

    @Inject
    Instance<MonitorEngine.Listener> listeners;

    private MonitorEngine engine;

    void onStart(@Observes StartupEvent ev) {
        engine().start();
    }

    void onStop(@Observes ShutdownEvent ev) {
        if (engine != null) {
            engine.close();
        }
    }

    public synchronized MonitorEngine engine() {
        if (engine == null) {
            engine = new MonitorEngine(settings(config), Clock.systemUTC());
            listeners.forEach(engine::addListener);
        }
        return engine;
    }

    static MonitorSettings settings(ReplicationConfig c) {
        return new MonitorSettings(endpoint("primary", c.primary()), endpoint("secondary", c.secondary()),
                c.interval(), c.heartbeatInterval(), c.connectTimeout(), c.queryTimeout(), c.hysteresis(),
                c.lagThreshold(), c.monitorDatabase(), c.replication().user(), c.replication().password(),
                c.replication().switchoverTimeout(), c.replication().promoteCatchUpTimeout(),
                c.autoFailover().enabled(), c.autoFailover().grace(), c.autoFailover().block());
    }

    /**
     * A node is named by its own address, the one replication uses (host:port, unless replication-host/-port say
     * otherwise): routers ask the role check by that name, whatever path the monitor itself takes to the node.
     */
    private static NodeEndpoint endpoint(String name, ReplicationConfig.Node n) {
        String replicationHost = n.replicationHost().orElse(n.host());
        int replicationPort = n.replicationPort().orElse(n.port());
        return new NodeEndpoint(replicationHost + ":" + replicationPort, n.host(), n.port(), n.user(), n.password(),
                replicationHost, replicationPort);
    }
}
