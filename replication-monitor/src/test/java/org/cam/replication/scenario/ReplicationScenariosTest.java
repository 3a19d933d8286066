package org.cam.replication.scenario;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.cam.replication.failover.ActionResult;
import org.cam.replication.failover.TopologyException;
import org.cam.replication.judge.ReplicationState;
import org.cam.replication.monitor.HistoryEntry;
import org.cam.replication.monitor.MonitorEngine;
import org.cam.replication.monitor.MonitorSettings;
import org.cam.replication.monitor.StatusView;
import org.cam.replication.observe.NodeEndpoint;
import org.cam.replication.support.PrivatePair;
import org.cam.replication.support.TcpProxy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The failure scenarios against a real MariaDB pair of this test's own (ports 13316/13317), driving
 * the monitor engine directly with the service's default timing (1 s interval, hysteresis 2). Each test
 * leaves the pair replicating again, or rebuilds it when it changed the topology.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationScenariosTest {

    static final PrivatePair PAIR = new PrivatePair("scenarios", 13316, 13317);
    static final int P = PAIR.primaryPort;
    static final int R = PAIR.replicaPort;

    private MonitorEngine engine;
    private boolean rebuildAfter;

    @BeforeAll
    static void freshPair() {
        PAIR.rebuild();
    }

    @AfterAll
    static void removePair() {
        PAIR.down();
    }

    @AfterEach
    void stopMonitor() {
        if (engine != null) {
            engine.close();
        }
        if (rebuildAfter) {
            PAIR.rebuild();
        }
    }

    private MonitorEngine start(MonitorSettings settings) {
        engine = new MonitorEngine(settings, Clock.systemUTC());
        engine.start();
        awaitState(ReplicationState.HEALTHY, Duration.ofSeconds(20));
        return engine;
    }

    private MonitorEngine startOnPair() {
        return start(PAIR.settings(PAIR.primary(), PAIR.replica()));
    }

    private void awaitState(ReplicationState state, Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(20)).until(() -> {
            StatusView s = engine.status();
            return s != null && s.state() == state;
        });
    }

    /** Waits for the state, returns how long it took from {@code t0} (System.nanoTime). */
    private long detect(ReplicationState state, long t0, Duration atMost) {
        awaitState(state, atMost);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("%s detected after %d ms%n", state, ms);
        return ms;
    }

    private List<StatusView> nextObservations(int n) {
        List<StatusView> seen = new ArrayList<>();
        AtomicReference<Long> last = new AtomicReference<>(engine.status().observations());
        await().atMost(Duration.ofSeconds(n * 3L)).pollInterval(Duration.ofMillis(20)).until(() -> {
            StatusView s = engine.status();
            if (s.observations() != last.get()) {
                last.set(s.observations());
                seen.add(s);
            }
            return seen.size() >= n;
        });
        return seen;
    }

    @Test
    @Order(1)
    void healthyPair() {
        startOnPair();
        StatusView s = nextObservations(2).get(1);
        assertThat(s.state()).isEqualTo(ReplicationState.HEALTHY);
        assertThat(s.lagMillis()).isNotNull().isLessThan(1000);
        assertThat(s.primary().writable()).isTrue();
        assertThat(s.secondary().readOnly()).isTrue();
        assertThat(s.secondary().replica().ioConnected()).isTrue();
        assertThat(s.errantGtids()).isEmpty();
        assertThat(s.primary().version()).contains("MariaDB");
        System.out.printf("HEALTHY lag %d ms, primary %s, secondary %s%n", s.lagMillis(), s.primary().gtidPosition(),
                s.secondary().gtidPosition());
    }

    /** A named primary that started fenced (the monitor was not there to say so) is given back its writes. */
    @Test
    @Order(1)
    void namedPrimaryStartedReadOnlyIsMadeWritableAgain() {
        startOnPair();
        nextObservations(1);
        PAIR.exec(P, "SET GLOBAL read_only=1");
        await().atMost(Duration.ofSeconds(10)).until(() -> PAIR.queryLong(P, "SELECT @@read_only") == 0);
        assertThat(engine.history()).anyMatch(h -> "UNFENCE".equals(h.kind()));
        assertThat(PAIR.queryLong(R, "SELECT @@read_only")).isEqualTo(1);
    }

    @Test
    @Order(2)
    void stoppedSqlThreadIsReplicationStoppedWithin3s() {
        startOnPair();
        PAIR.exec(R, "STOP SLAVE SQL_THREAD");
        long t0 = System.nanoTime();
        detect(ReplicationState.REPLICATION_STOPPED, t0, Duration.ofSeconds(3));
        assertThat(engine.status().detail()).isEqualTo("SQL thread stopped");
        assertThat(engine.status().lagMillis()).isNotNull();

        PAIR.exec(R, "START SLAVE SQL_THREAD");
        detect(ReplicationState.HEALTHY, System.nanoTime(), Duration.ofSeconds(10));
        assertThat(engine.history()).extracting(HistoryEntry::to)
                .containsSubsequence(ReplicationState.HEALTHY, ReplicationState.REPLICATION_STOPPED,
                        ReplicationState.HEALTHY);
    }

    @Test
    @Order(3)
    void masterDelayIsLaggingWithTheTrueLag() {
        startOnPair();
        int delaySeconds = 4;
        PAIR.exec(R, "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY=" + delaySeconds, "START SLAVE");
        long t0 = System.nanoTime();
        detect(ReplicationState.LAGGING, t0, Duration.ofSeconds(15));
        // the replica's data age ramps up to the delay; compare once the first delayed beats are being applied
        await().atMost(Duration.ofSeconds(20)).until(() -> System.nanoTime() - t0 > (delaySeconds + 2) * 1_000_000_000L);
        List<StatusView> samples = nextObservations(6);
        for (StatusView s : samples) {
            System.out.printf("MASTER_DELAY=%d s: measured lag %d ms (%s)%n", delaySeconds, s.lagMillis(), s.state());
        }
        assertThat(samples).allSatisfy(s -> {
            assertThat(s.state()).isEqualTo(ReplicationState.LAGGING);
            assertThat(s.lagMillis()).isBetween(delaySeconds * 1000L - 500, delaySeconds * 1000L + 500);
        });

        PAIR.exec(R, "STOP SLAVE", "CHANGE MASTER TO MASTER_DELAY=0", "START SLAVE");
        detect(ReplicationState.HEALTHY, System.nanoTime(), Duration.ofSeconds(15));
    }

    @Test
    @Order(4)
    void duplicateKeyIsReplicationBrokenWithTheErrorText() {
        PAIR.exec(P, "CREATE TABLE cam.dup (id INT PRIMARY KEY)");
        startOnPair();
        await().atMost(Duration.ofSeconds(10)).until(() -> PAIR.queryLong(R,
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='cam' AND table_name='dup'") == 1);
        // the conflicting row goes in without binlog: this case is about the SQL error, not errant GTIDs
        PAIR.exec(R, "SET SESSION sql_log_bin=0", "INSERT INTO cam.dup VALUES (1)");
        PAIR.exec(P, "INSERT INTO cam.dup VALUES (1)");
        long t0 = System.nanoTime();
        detect(ReplicationState.REPLICATION_BROKEN, t0, Duration.ofSeconds(10));
        assertThat(engine.status().detail()).contains("1062").contains("Duplicate entry '1'");
        assertThat(engine.status().secondary().replica().lastSqlError()).contains("Duplicate entry");

        PAIR.exec(R, "SET SESSION sql_log_bin=0", "DELETE FROM cam.dup", "START SLAVE SQL_THREAD");
        detect(ReplicationState.HEALTHY, System.nanoTime(), Duration.ofSeconds(10));
        assertThat(PAIR.queryLong(R, "SELECT COUNT(*) FROM cam.dup")).isEqualTo(1);
    }

    @Test
    @Order(5)
    void writeOnTheSecondaryIsAnErrantTransaction() {
        startOnPair();
        rebuildAfter = true;
        PAIR.exec(R, "CREATE TABLE cam.errant (id INT PRIMARY KEY)");
        long t0 = System.nanoTime();
        detect(ReplicationState.ERRANT_TRANSACTIONS, t0, Duration.ofSeconds(10));
        assertThat(engine.status().errantGtids()).singleElement().asString().startsWith("0-2-");
    }

    @Test
    @Order(6)
    void monitorLosingOnlyItsOwnPathIsNoPrimaryDown() throws Exception {
        try (TcpProxy proxy = new TcpProxy(P)) {
            NodeEndpoint viaProxy = new NodeEndpoint("primary-via-proxy", "127.0.0.1", proxy.port(), "camadmin",
                    "camadmin", "127.0.0.1", P);
            start(PAIR.settings(viaProxy, PAIR.replica()));
            proxy.cut();
            long t0 = System.nanoTime();
            detect(ReplicationState.UNREACHABLE_FROM_MONITOR, t0, Duration.ofSeconds(10));
            // replication still flows directly while the monitor is cut off
            PAIR.exec(P, "CREATE TABLE cam.still_flowing (id INT PRIMARY KEY)", "INSERT INTO cam.still_flowing VALUES (7)");
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> PAIR.queryLong(R, "SELECT COUNT(*) FROM cam.still_flowing") == 1);
            List<StatusView> later = nextObservations(5);
            assertThat(later).extracting(StatusView::state).containsOnly(ReplicationState.UNREACHABLE_FROM_MONITOR);
            assertThat(engine.history()).extracting(HistoryEntry::to).doesNotContain(ReplicationState.PRIMARY_DOWN);

            proxy.restore();
            detect(ReplicationState.HEALTHY, System.nanoTime(), Duration.ofSeconds(10));
        }
    }

    @Test
    @Order(7)
    void killedPrimaryIsPrimaryDownWithin5sAndPromoteLeavesAWritableSecondary() throws SQLException {
        PAIR.exec(P, "CREATE TABLE cam.before_kill (id INT PRIMARY KEY)", "INSERT INTO cam.before_kill VALUES (1)");
        startOnPair();
        rebuildAfter = true;
        PAIR.killPrimary();
        long t0 = System.nanoTime();
        detect(ReplicationState.PRIMARY_DOWN, t0, Duration.ofSeconds(5));
        System.out.println("PRIMARY_DOWN detail: " + engine.status().detail());

        ActionResult r = engine.promote("test", "primary killed by the test", false);
        System.out.println("promote: " + r);
        assertThat(r.outcome()).isEqualTo("DONE");
        assertThat(r.steps()).anyMatch(s -> s.contains("NOT fenced"));
        assertThat(engine.primaryEndpoint().port()).isEqualTo(R);
        assertThat(PAIR.queryLong(R, "SELECT @@read_only")).isZero();
        try (Connection app = PAIR.app(R)) {
            app.createStatement().execute("INSERT INTO cam.before_kill VALUES (2)");
        }
        assertThat(PAIR.queryLong(R, "SELECT COUNT(*) FROM cam.before_kill")).isEqualTo(2);
        assertThat(engine.history()).anyMatch(h -> "PROMOTE".equals(h.kind()) && "test".equals(h.actor())
                && h.reason().contains("primary killed"));
        // the old primary is gone: the monitor now reports the missing secondary
        detect(ReplicationState.SECONDARY_DOWN, System.nanoTime(), Duration.ofSeconds(10));
        assertThat(PAIR.queryLong(R, "SELECT COUNT(*) FROM cam_monitor.audit WHERE action='PROMOTE'")).isEqualTo(1);
    }

    @Test
    @Order(8)
    void switchoverWith10000RowsWrittenDuringItLosesNoRow() throws Exception {
        PAIR.exec(P, "CREATE TABLE cam.sw (id INT PRIMARY KEY, written_on INT NOT NULL)");
        startOnPair();
        rebuildAfter = true;
        int rows = 10_000;
        AtomicInteger acknowledged = new AtomicInteger();
        AtomicInteger rejected = new AtomicInteger();
        AtomicReference<Throwable> writerFailure = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            int[] ports = {P, R};
            int target = 0;
            Connection[] conns = new Connection[2];
            try {
                for (int id = 1; id <= rows; id++) {
                    while (true) {
                        try {
                            if (conns[target] == null) {
                                conns[target] = PAIR.app(ports[target]);
                            }
                            try (PreparedStatement ps = conns[target]
                                    .prepareStatement("INSERT IGNORE INTO cam.sw VALUES (?, ?)")) {
                                ps.setInt(1, id);
                                ps.setInt(2, ports[target]);
                                ps.executeUpdate();
                            }
                            acknowledged.incrementAndGet();
                            break;
                        } catch (SQLException e) {
                            // read-only (1290) while fenced: try the other node, like a client with two hosts
                            rejected.incrementAndGet();
                            if (conns[target] != null && !conns[target].isValid(1)) {
                                conns[target] = null;
                            }
                            target = 1 - target;
                            LockSupport.parkNanos(1_000_000);
                        }
                    }
                }
            } catch (Throwable t) {
                writerFailure.set(t);
            } finally {
                for (Connection c : conns) {
                    try {
                        if (c != null) {
                            c.close();
                        }
                    } catch (SQLException ignored) {
                        // closing
                    }
                }
            }
        }, "switchover-writer");
        writer.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> acknowledged.get() >= 2000);
        int atStart = acknowledged.get();
        long t0 = System.nanoTime();
        ActionResult r = engine.switchover("test", "planned switchover under write load");
        long switchMs = (System.nanoTime() - t0) / 1_000_000;
        int atEnd = acknowledged.get();
        writer.join(120_000);
        assertThat(writerFailure.get()).isNull();
        System.out.printf("SWITCHOVER took %d ms; rows acknowledged %d before, %d after it; %d write attempts rejected%n",
                switchMs, atStart, atEnd, rejected.get());
        System.out.println("switchover: " + r);
        assertThat(r.outcome()).isEqualTo("DONE");
        assertThat(atEnd).isLessThan(rows);
        assertThat(acknowledged.get()).isEqualTo(rows);
        assertThat(engine.primaryEndpoint().port()).isEqualTo(R);

        // the old primary replicates from the new one and catches up: count both sides
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> PAIR.queryLong(P, "SELECT COUNT(*) FROM cam.sw") == rows);
        assertThat(PAIR.queryLong(R, "SELECT COUNT(*) FROM cam.sw")).isEqualTo(rows);
        assertThat(PAIR.queryLong(P, "SELECT COUNT(*) FROM cam.sw WHERE written_on = " + R)).isPositive();
        assertThat(PAIR.queryLong(P, "SELECT @@read_only")).isEqualTo(1);
        assertThat(PAIR.queryLong(R, "SELECT @@read_only")).isZero();
        detect(ReplicationState.HEALTHY, System.nanoTime(), Duration.ofSeconds(15));
        assertThat(engine.status().secondary().replica().sourcePort()).isEqualTo(R);
        assertThat(PAIR.queryLong(R, "SELECT COUNT(*) FROM cam_monitor.audit WHERE action='SWITCHOVER'")).isEqualTo(1);
    }
    @Test
    @Order(9)
    void automaticFailoverWaitsForTheGracePeriod() {
        MonitorSettings base = PAIR.settings(PAIR.primary(), PAIR.replica());
        MonitorSettings auto = new MonitorSettings(base.primary(), base.secondary(), base.interval(),
                base.heartbeatInterval(), base.connectTimeout(), base.queryTimeout(), base.hysteresis(),
                base.lagThreshold(), base.monitorDatabase(), base.replicationUser(), base.replicationPassword(),
                base.switchoverTimeout(), base.promoteCatchUpTimeout(), true, Duration.ofSeconds(3),
                Duration.ofHours(1));
        start(auto);
        rebuildAfter = true;
        PAIR.killPrimary();
        long t0 = System.nanoTime();
        detect(ReplicationState.PRIMARY_DOWN, t0, Duration.ofSeconds(5));
        // still inside the grace period: nothing promoted yet
        assertThat(engine.primaryEndpoint().port()).isEqualTo(P);
        assertThat(engine.failovers()).isZero();
        await().atMost(Duration.ofSeconds(15)).until(() -> engine.failovers() == 1);
        System.out.printf("AUTO_FAILOVER done %d ms after the kill%n", (System.nanoTime() - t0) / 1_000_000);
        assertThat(engine.primaryEndpoint().port()).isEqualTo(R);
        assertThat(PAIR.queryLong(R, "SELECT @@read_only")).isZero();
        assertThat(engine.history()).anyMatch(h -> "AUTO_FAILOVER".equals(h.kind())
                && "replication-monitor".equals(h.actor()) && "DONE".equals(h.outcome()));
    }
    @Test
    @Order(10)
    void promoteRefusesToDropReceivedTransactionsUnlessForced() {
        MonitorSettings base = PAIR.settings(PAIR.primary(), PAIR.replica());
        MonitorSettings quickCatchUp = new MonitorSettings(base.primary(), base.secondary(), base.interval(),
                base.heartbeatInterval(), base.connectTimeout(), base.queryTimeout(), base.hysteresis(),
                base.lagThreshold(), base.monitorDatabase(), base.replicationUser(), base.replicationPassword(),
                base.switchoverTimeout(), Duration.ofSeconds(1), false, base.autoFailoverGrace(),
                base.autoFailoverBlock());
        PAIR.exec(P, "CREATE TABLE cam.unapplied (id INT PRIMARY KEY)");
        start(quickCatchUp);
        rebuildAfter = true;
        await().atMost(Duration.ofSeconds(10)).until(() -> PAIR.queryLong(R,
                "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='cam' AND table_name='unapplied'") == 1);
        PAIR.exec(R, "STOP SLAVE SQL_THREAD");
        PAIR.exec(P, "INSERT INTO cam.unapplied VALUES (1), (2), (3)");
        String written = PAIR.queryString(P, "SELECT @@gtid_binlog_pos");
        long writtenSeq = Long.parseLong(written.substring(written.lastIndexOf('-') + 1));
        // received by the IO thread, not applied
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            StatusView s = engine.status();
            String received = s.secondary().replica() == null ? null : s.secondary().replica().receivedGtids();
            return received != null && Long.parseLong(received.substring(received.lastIndexOf('-') + 1)) >= writtenSeq;
        });
        PAIR.killPrimary();
        detect(ReplicationState.PRIMARY_DOWN, System.nanoTime(), Duration.ofSeconds(5));

        assertThatThrownBy(() -> engine.promote("test", "unforced", false))
                .isInstanceOfSatisfying(TopologyException.class, e -> {
                    assertThat(e.status()).isEqualTo(409);
                    assertThat(e.field()).isEqualTo("force");
                    System.out.println("promote refused: " + e.getMessage());
                });
        assertThat(PAIR.queryLong(R, "SELECT @@read_only")).isEqualTo(1);
        assertThat(engine.history()).anyMatch(h -> "PROMOTE".equals(h.kind()) && "REFUSED".equals(h.outcome()));

        ActionResult forced = engine.promote("test", "primary lost, accept losing its last writes", true);
        assertThat(forced.outcome()).isEqualTo("DONE");
        assertThat(forced.steps()).anyMatch(s -> s.startsWith("FORCED"));
        assertThat(PAIR.queryLong(R, "SELECT @@read_only")).isZero();
        // what the secondary had only received is gone with the relay log: the reason force is explicit
        assertThat(PAIR.queryLong(R, "SELECT COUNT(*) FROM cam.unapplied")).isZero();
    }
}
