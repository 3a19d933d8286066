package org.cam.replication.monitor;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.cam.replication.audit.AuditLog;
import org.cam.replication.failover.ActionResult;
import org.cam.replication.failover.FailoverPolicy;
import org.cam.replication.failover.Promoter;
import org.cam.replication.failover.TopologyException;
import org.cam.replication.judge.Hysteresis;
import org.cam.replication.judge.Judge;
import org.cam.replication.judge.Judgement;
import org.cam.replication.judge.ReplicationState;
import org.cam.replication.judge.Snapshot;
import org.cam.replication.observe.Flavour;
import org.cam.replication.observe.Heartbeat;
import org.cam.replication.observe.MariaDbGtids;
import org.cam.replication.observe.NodeConnection;
import org.cam.replication.observe.NodeEndpoint;
import org.cam.replication.observe.NodeObservation;
import org.cam.replication.observe.NodeObserver;
import org.jboss.logging.Logger;

/**
 * The monitor without Quarkus: observes both nodes every interval, writes the heartbeat, judges with
 * hysteresis, keeps history, tells listeners about transitions, and performs switchover/promote. The Quarkus
 * layer only wires config, REST, metrics and alarms around it; tests drive it directly.
 */
public final class MonitorEngine implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(MonitorEngine.class);
    private static final int HISTORY_SIZE = 1000;

    /** Transition and action callbacks (alarms, metrics). Called on the observation thread. */
    public interface Listener {
        default void onTransition(ReplicationState from, ReplicationState to, Instant since, String detail) {
        }

        default void onAction(String kind, ActionResult result) {
        }
    }

    private record Roles(NodeObserver primary, NodeObserver secondary) {
    }

    private final MonitorSettings settings;
    private final Clock clock;
    private final Judge judge;
    private final Hysteresis hysteresis;
    private final Heartbeat heartbeat;
    private final AuditLog audit;
    private final Promoter promoter;
    private final FailoverPolicy policy;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final ReentrantLock topologyLock = new ReentrantLock();
    private final Deque<HistoryEntry> history = new ArrayDeque<>();
    private final AtomicLong observations = new AtomicLong();
    private final AtomicInteger failovers = new AtomicInteger();

    private volatile Roles roles;
    private volatile NodeConnection heartbeatConnection;
    private volatile boolean schemaReady;
    private volatile StatusView status;
    private volatile Instant lastFailover;
    private ScheduledExecutorService scheduler;

    public MonitorEngine(MonitorSettings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
        this.judge = new Judge(settings.lagThreshold().toMillis());
        this.hysteresis = new Hysteresis(settings.hysteresis());
        this.heartbeat = new Heartbeat(settings.monitorDatabase());
        this.audit = new AuditLog(settings.monitorDatabase());
        this.promoter = new Promoter(settings.connectTimeout(), settings.switchoverTimeout(),
                settings.promoteCatchUpTimeout(), settings.replicationUser(), settings.replicationPassword());
        this.policy = new FailoverPolicy(settings.autoFailover(), settings.autoFailoverGrace(),
                settings.autoFailoverBlock());
        this.roles = new Roles(observer(settings.primary()), observer(settings.secondary()));
        this.heartbeatConnection = connection(settings.primary());
    }

    private NodeConnection connection(NodeEndpoint ep) {
        return new NodeConnection(ep, settings.connectTimeout(), settings.queryTimeout());
    }

    private NodeObserver observer(NodeEndpoint ep) {
        return new NodeObserver(connection(ep), heartbeat.table(), clock);
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public synchronized void start() {
        if (scheduler != null) {
            return;
        }
        scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "replication-monitor");
            t.setDaemon(true);
            return t;
        });
        long interval = settings.interval().toMillis();
        scheduler.scheduleAtFixedRate(this::beatSafely, 0, settings.heartbeatInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        // half an interval after the beat, so a read never races the write of the same cycle
        scheduler.scheduleAtFixedRate(this::cycleSafely, interval / 2, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void close() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            try {
                scheduler.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            scheduler = null;
        }
        Roles r = roles;
        r.primary().connection().close();
        r.secondary().connection().close();
        heartbeatConnection.close();
    }

    private void beatSafely() {
        NodeConnection hc = heartbeatConnection;
        try {
            Connection c = hc.get();
            if (!schemaReady) {
                heartbeat.ensureSchema(c);
                audit.ensureSchema(c);
                schemaReady = true;
            }
            heartbeat.beat(c, "replication-monitor");
        } catch (SQLException | RuntimeException e) {
            hc.invalidate();
            schemaReady = false;
            LOG.debugf("heartbeat on %s failed: %s", hc.endpoint(), NodeObserver.describe(e));
        }
    }

    private void cycleSafely() {
        try {
            cycle();
        } catch (RuntimeException e) {
            LOG.error("observation cycle failed", e);
        }
    }

    /** One observation and judgement; public so tests and tools can force a cycle. */
    public void cycle() {
        topologyLock.lock();
        try {
            Roles r = roles;
            // secondary first: the primary only moves forward, so this order cannot fake errant GTIDs
            NodeObservation secondary = r.secondary().observe();
            NodeObservation primary = r.primary().observe();
            if (adoptObservedRoles(primary, secondary)) {
                return;
            }
            restoreWritesOnNamedPrimary(r, primary, secondary);
            Long lag = lag(secondary);
            List<String> errant = errant(r, primary, secondary);
            Snapshot snap = new Snapshot(primary, secondary, lag, errant);
            Judgement j = judge.judge(snap);
            Instant now = clock.instant();
            Hysteresis.Published pub = hysteresis.accept(j, now);
            observations.incrementAndGet();
            if (pub.changed()) {
                // in the history before the status shows it: whoever sees the new state finds its transition
                record(HistoryEntry.transition(now, pub.previous(), pub.state(), pub.since(), pub.detail()));
            }
            status = new StatusView(pub.state(), pub.since(), pub.detail(), lag, primary, secondary, errant, now,
                    observations.get(), settings.autoFailover());
            if (pub.changed()) {
                LOG.infof("replication state %s -> %s since %s: %s", pub.previous(), pub.state(), pub.since(),
                        pub.detail());
                for (Listener l : listeners) {
                    try {
                        l.onTransition(pub.previous(), pub.state(), pub.since(), pub.detail());
                    } catch (RuntimeException e) {
                        LOG.warn("listener failed", e);
                    }
                }
            }
            if (policy.due(pub.state(), pub.since(), now, lastFailover)) {
                autoFailover(pub);
            }
        } finally {
            topologyLock.unlock();
        }
    }

    /**
     * If the configured secondary is the writable source and the configured primary replicates from it (a
     * switchover done by hand, or a restart after ours), follow the observed topology instead of the config.
     */
    private boolean adoptObservedRoles(NodeObservation primary, NodeObservation secondary) {
        if (primary.reachable() && secondary.reachable() && Boolean.TRUE.equals(primary.readOnly())
                && primary.replica() != null && secondary.writable() && secondary.replica() == null) {
            LOG.warnf("%s is read-only and replicates while %s is writable: swapping roles", primary.node(),
                    secondary.node());
            swapRoles();
            return true;
        }
        return false;
    }

    /**
     * A node starts fenced unless this monitor names it primary when it starts (infra.sh, the StatefulSet's start
     * script). If the monitor was down or not ready then, the primary it names comes up read-only with the secondary
     * replicating from it: nothing diverged, so the monitor, which alone decides, lets it take writes again. Never
     * when the secondary is writable or not connected to its source (that is for switchover/promote to decide).
     */
    private void restoreWritesOnNamedPrimary(Roles r, NodeObservation primary, NodeObservation secondary) {
        if (!primary.reachable() || !Boolean.TRUE.equals(primary.readOnly()) || primary.replica() != null
                || !secondary.reachable() || secondary.writable() || secondary.replica() == null
                || !secondary.replica().ioConnected()) {
            return;
        }
        NodeConnection pc = r.primary().connection();
        try {
            Promoter.unfence(pc.get(), primary.flavour());
            String detail = r.primary().endpoint() + " was read-only (started fenced) while " + r.secondary().endpoint()
                    + " replicates from it: made writable";
            LOG.warn(detail);
            record(HistoryEntry.action(clock.instant(), "UNFENCE", "replication-monitor", "named primary started fenced",
                    "DONE", detail));
        } catch (SQLException e) {
            pc.invalidate();
            LOG.warnf("could not make the named primary %s writable: %s", r.primary().endpoint(),
                    NodeObserver.describe(e));
        }
    }

    private void autoFailover(Hysteresis.Published pub) {
        String reason = "automatic failover: PRIMARY_DOWN since " + pub.since() + " (" + pub.detail() + ")";
        try {
            runAction("AUTO_FAILOVER", "replication-monitor", reason,
                    () -> promoter.promote(roles.primary().endpoint(), roles.secondary().endpoint(), false));
        } catch (TopologyException e) {
            // do not retry every second: wait for the block period like after a success
            lastFailover = clock.instant();
            LOG.errorf("automatic failover refused: %s", e.getMessage());
        }
    }

    private Long lag(NodeObservation secondary) {
        if (!secondary.reachable()) {
            return null;
        }
        Long lag = heartbeat.lagMillis(secondary.heartbeat());
        if (lag == null && secondary.replica() != null && secondary.replica().secondsBehind() != null) {
            lag = secondary.replica().secondsBehind() * 1000;
        }
        return lag;
    }

    private List<String> errant(Roles r, NodeObservation primary, NodeObservation secondary) {
        if (!primary.reachable() || !secondary.reachable()) {
            return null;
        }
        if (primary.flavour() == Flavour.MARIADB && secondary.flavour() == Flavour.MARIADB) {
            return MariaDbGtids.errant(secondary.gtidBinlogState(), primary.gtidBinlogState());
        }
        if (primary.flavour() == Flavour.MYSQL && secondary.flavour() == Flavour.MYSQL) {
            try (PreparedStatement ps = r.primary().connection().get()
                    .prepareStatement("SELECT GTID_SUBTRACT(?, @@global.gtid_executed)")) {
                ps.setString(1, secondary.gtidPosition() == null ? "" : secondary.gtidPosition());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    String diff = rs.getString(1);
                    return diff == null || diff.isBlank() ? List.of() : List.of(diff.replace("\n", ""));
                }
            } catch (SQLException e) {
                r.primary().connection().invalidate();
                return null;
            }
        }
        return null;
    }

    public ActionResult switchover(String actor, String reason) {
        return runAction("SWITCHOVER", actor, reason,
                () -> promoter.switchover(roles.primary().endpoint(), roles.secondary().endpoint()));
    }

    public ActionResult promote(String actor, String reason, boolean force) {
        return runAction(force ? "PROMOTE_FORCED" : "PROMOTE", actor, reason,
                () -> promoter.promote(roles.primary().endpoint(), roles.secondary().endpoint(), force));
    }

    private ActionResult runAction(String kind, String actor, String reason,
            java.util.function.Supplier<ActionResult> action) {
        topologyLock.lock();
        heartbeat.pause(true);
        try {
            ActionResult result;
            try {
                result = action.get();
            } catch (TopologyException e) {
                audit.log(actor, kind, reason, "REFUSED", e.getMessage());
                record(HistoryEntry.action(clock.instant(), kind, actor, reason, "REFUSED", e.getMessage()));
                persistAudit(actor, kind, reason, "REFUSED", e.getMessage());
                throw e;
            }
            swapRoles();
            lastFailover = clock.instant();
            failovers.incrementAndGet();
            String detail = String.join("; ", result.steps());
            audit.log(actor, kind, reason, result.outcome(), detail);
            record(HistoryEntry.action(clock.instant(), kind, actor, reason, result.outcome(), detail));
            persistAudit(actor, kind, reason, result.outcome(), detail);
            for (Listener l : listeners) {
                try {
                    l.onAction(kind, result);
                } catch (RuntimeException e) {
                    LOG.warn("listener failed", e);
                }
            }
            heartbeat.pause(false);
            // observe the new topology at once so /status never shows the old roles after we answered
            cycle();
            return result;
        } finally {
            heartbeat.pause(false);
            topologyLock.unlock();
        }
    }

    private void persistAudit(String actor, String kind, String reason, String outcome, String detail) {
        NodeConnection pc = roles.primary().connection();
        try {
            audit.persist(pc.get(), actor, kind, reason, outcome, detail);
        } catch (SQLException e) {
            // a dead or fenced primary cannot take the row; the log line above is the record then
            pc.invalidate();
            LOG.warnf("audit row not written on %s: %s", pc.endpoint(), NodeObserver.describe(e));
        }
    }

    private void swapRoles() {
        Roles r = roles;
        roles = new Roles(r.secondary(), r.primary());
        NodeConnection old = heartbeatConnection;
        heartbeatConnection = connection(r.secondary().endpoint());
        schemaReady = false;
        old.close();
    }

    private synchronized void record(HistoryEntry e) {
        history.addLast(e);
        while (history.size() > HISTORY_SIZE) {
            history.removeFirst();
        }
    }

    public synchronized List<HistoryEntry> history() {
        return new ArrayList<>(history);
    }

    /** Null until the first observation. */
    public StatusView status() {
        return status;
    }

    public long observations() {
        return observations.get();
    }

    public int failovers() {
        return failovers.get();
    }

    /**
     * The role check behind {@code GET /nodes/{node}/primary} and the HAProxy agent: true when {@code node} (a
     * node's name, host:port) is the node this monitor names primary. It answers from the roles alone, not from
     * the node's reachability, so a cut between the monitor and the primary (UNREACHABLE_FROM_MONITOR) never
     * moves writers; null before the first observation (the monitor has not looked at the topology yet).
     */
    public Boolean namesPrimary(String node) {
        if (status == null) {
            return null;
        }
        return roles.primary().endpoint().name().equals(node);
    }

    public NodeEndpoint primaryEndpoint() {
        return roles.primary().endpoint();
    }

    public NodeEndpoint secondaryEndpoint() {
        return roles.secondary().endpoint();
    }

    public MonitorSettings settings() {
        return settings;
    }
}
