package org.cam.replication.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.cam.replication.observe.Flavour;
import org.cam.replication.observe.NodeObservation;
import org.cam.replication.observe.ReplicaStatus;
import org.junit.jupiter.api.Test;

class JudgeTest {

    private final Judge judge = new Judge(5000);
    private static final Instant T = Instant.parse("2026-11-24T10:00:00Z");

    static ReplicaStatus replica(String io, boolean sql, int ioErr, int sqlErr, Long sbm) {
        return new ReplicaStatus("127.0.0.1", 13306, 1L, io, sql, null, null, sbm, ioErr,
                ioErr == 0 ? "" : "error reconnecting to master", sqlErr, sqlErr == 0 ? "" : "Duplicate entry '1'",
                "0-1-5", null, 0L);
    }

    static NodeObservation node(String name, boolean readOnly, ReplicaStatus r) {
        return new NodeObservation(name, name, T, true, null, Flavour.MARIADB, "10.11", 1L, readOnly, null, "0-1-5",
                "0-1-5", "0-1-5", r, null);
    }

    static NodeObservation down(String name) {
        return new NodeObservation(name, name, T, false, "SQLNonTransientConnectionException: refused", null, null,
                null, null, null, null, null, null, null, null);
    }

    private static final NodeObservation PRIMARY = node("p", false, null);
    private static final ReplicaStatus OK = replica("Yes", true, 0, 0, 0L);

    private ReplicationState state(NodeObservation p, NodeObservation s, Long lag, List<String> errant) {
        return judge.judge(new Snapshot(p, s, lag, errant)).state();
    }

    @Test
    void healthy() {
        assertThat(state(PRIMARY, node("s", true, OK), 12L, List.of())).isEqualTo(ReplicationState.HEALTHY);
    }

    @Test
    void lagAboveThresholdOrUnknownIsLagging() {
        assertThat(state(PRIMARY, node("s", true, OK), 5001L, List.of())).isEqualTo(ReplicationState.LAGGING);
        assertThat(state(PRIMARY, node("s", true, OK), null, List.of())).isEqualTo(ReplicationState.LAGGING);
    }

    @Test
    void stoppedThreadIsNamed() {
        Judgement j = judge.judge(new Snapshot(PRIMARY, node("s", true, replica("Yes", false, 0, 0, null)), 0L, List.of()));
        assertThat(j.state()).isEqualTo(ReplicationState.REPLICATION_STOPPED);
        assertThat(j.detail()).isEqualTo("SQL thread stopped");
        j = judge.judge(new Snapshot(PRIMARY, node("s", true, replica("No", true, 0, 0, null)), 0L, List.of()));
        assertThat(j.detail()).isEqualTo("IO thread stopped");
    }

    @Test
    void sqlErrorIsBrokenWithTheText() {
        Judgement j = judge.judge(new Snapshot(PRIMARY, node("s", true, replica("Yes", false, 0, 1062, null)), 0L,
                List.of()));
        assertThat(j.state()).isEqualTo(ReplicationState.REPLICATION_BROKEN);
        assertThat(j.detail()).contains("1062").contains("Duplicate entry");
    }

    @Test
    void primaryDownOnlyWhenTheSecondaryLostItToo() {
        assertThat(state(down("p"), node("s", true, replica("Connecting", true, 2013, 0, null)), null, null))
                .isEqualTo(ReplicationState.PRIMARY_DOWN);
        assertThat(state(down("p"), node("s", true, OK), 0L, null))
                .isEqualTo(ReplicationState.UNREACHABLE_FROM_MONITOR);
        assertThat(state(down("p"), down("s"), null, null)).isEqualTo(ReplicationState.UNREACHABLE_FROM_MONITOR);
    }

    @Test
    void secondaryDownSplitBrainErrant() {
        assertThat(state(PRIMARY, down("s"), null, null)).isEqualTo(ReplicationState.SECONDARY_DOWN);
        assertThat(state(PRIMARY, node("s", false, OK), 0L, List.of())).isEqualTo(ReplicationState.SPLIT_BRAIN_RISK);
        assertThat(state(PRIMARY, node("s", true, OK), 0L, List.of("0-2-9")))
                .isEqualTo(ReplicationState.ERRANT_TRANSACTIONS);
        assertThat(state(PRIMARY, node("s", true, null), null, null)).isEqualTo(ReplicationState.REPLICATION_STOPPED);
        // gtid_strict_mode turns the errant write into an SQL error: the cause wins over the symptom
        Judgement j = judge.judge(new Snapshot(PRIMARY, node("s", true, replica("Yes", false, 0, 1950, null)), null,
                List.of("0-2-9")));
        assertThat(j.state()).isEqualTo(ReplicationState.ERRANT_TRANSACTIONS);
        assertThat(j.detail()).contains("0-2-9").contains("1950");
    }
}
