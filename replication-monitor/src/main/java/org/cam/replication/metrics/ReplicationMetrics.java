package org.cam.replication.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.cam.replication.failover.ActionResult;
import org.cam.replication.judge.ReplicationState;
import org.cam.replication.monitor.MonitorEngine;
import org.cam.replication.monitor.MonitorService;
import org.cam.replication.monitor.StatusView;
import org.cam.replication.observe.ReplicaStatus;

/** Prometheus gauges read the engine's last status; unknown values are NaN, never 0. */
@ApplicationScoped
public class ReplicationMetrics implements MonitorEngine.Listener {

    @Inject
    MeterRegistry registry;

    @Inject
    jakarta.enterprise.inject.Instance<MonitorService> monitor;

    /**
     * Removed again at shutdown: Micrometer's global composite registry outlives a Quarkus restart in the same JVM
     * (several @QuarkusTest apps, dev mode), and registering a gauge whose name it still knows returns the old one,
     * bound to the previous, discarded instance of this bean (it then reads NaN).
     */
    private final List<Meter> gauges = new ArrayList<>();

    void register(@Observes StartupEvent ev) {
        gauge("cam_replication_lag_seconds", "replication lag from the heartbeat", s ->
                s.lagMillis() == null ? Double.NaN : s.lagMillis() / 1000.0);
        gauge("cam_replication_io_thread_running", "1 when the secondary's IO thread is connected", s ->
                replica(s) == null ? Double.NaN : replica(s).ioConnected() ? 1 : 0);
        gauge("cam_replication_sql_thread_running", "1 when the secondary's SQL thread runs", s ->
                replica(s) == null ? Double.NaN : replica(s).sqlRunning() ? 1 : 0);
        gauge("cam_replication_state", "state code (0 = HEALTHY, see README)", s -> s.state().code());
        // registered at 0 so rate() and alert rules work before the first failover
        for (String kind : new String[] {"SWITCHOVER", "PROMOTE", "PROMOTE_FORCED", "AUTO_FAILOVER"}) {
            failovers(kind);
        }
        for (ReplicationState st : ReplicationState.values()) {
            gauges.add(Gauge.builder("cam_replication_state_active", this, m -> {
                StatusView s = m.status();
                return s != null && s.state() == st ? 1 : 0;
            }).tag("state", st.name()).description("1 for the current state").register(registry));
        }
    }

    void unregister(@Observes ShutdownEvent ev) {
        gauges.forEach(registry::remove);
        gauges.clear();
    }

    private void gauge(String name, String help, ToDoubleFunction<StatusView> f) {
        gauges.add(Gauge.builder(name, this, m -> {
            StatusView s = m.status();
            return s == null ? Double.NaN : f.applyAsDouble(s);
        }).description(help).register(registry));
    }

    private StatusView status() {
        return monitor.get().engine().status();
    }

    private static ReplicaStatus replica(StatusView s) {
        return s.secondary() == null || !s.secondary().reachable() ? null : s.secondary().replica();
    }

    @Override
    public void onAction(String kind, ActionResult result) {
        failovers(kind).increment();
    }

    private Counter failovers(String kind) {
        return Counter.builder("cam_replication_failovers").tag("kind", kind)
                .description("switchovers and promotions performed").register(registry);
    }
}
