package org.cam.replication.judge;

import org.cam.replication.observe.NodeObservation;
import org.cam.replication.observe.ReplicaStatus;
import org.cam.replication.observe.ReplicaStatusParser;

/** Turns one snapshot into a state. Pure; the order of the checks is the order of severity. */
public final class Judge {

    private final long lagThresholdMillis;

    public Judge(long lagThresholdMillis) {
        this.lagThresholdMillis = lagThresholdMillis;
    }

    public Judgement judge(Snapshot s) {
        NodeObservation p = s.primary();
        NodeObservation r = s.secondary();
        if (!p.reachable()) {
            if (!r.reachable()) {
                // the monitor sees neither node: most likely its own network; it cannot confirm a primary failure
                return new Judgement(ReplicationState.UNREACHABLE_FROM_MONITOR,
                        "monitor reaches neither node: primary " + p.error() + "; secondary " + r.error());
            }
            ReplicaStatus rs = r.replica();
            if (rs == null || !rs.ioConnected()) {
                String io = rs == null ? "secondary has no replication configured"
                        : "secondary IO thread " + rs.ioRunning() + ioError(rs);
                return new Judgement(ReplicationState.PRIMARY_DOWN, "monitor cannot reach primary (" + p.error()
                        + ") and " + io);
            }
            return new Judgement(ReplicationState.UNREACHABLE_FROM_MONITOR, "monitor cannot reach primary ("
                    + p.error() + ") but the secondary's IO thread is connected to it");
        }
        if (!r.reachable()) {
            return new Judgement(ReplicationState.SECONDARY_DOWN, "monitor cannot reach secondary: " + r.error());
        }
        if (p.writable() && r.writable()) {
            return new Judgement(ReplicationState.SPLIT_BRAIN_RISK, "both nodes are writable (read_only=0)");
        }
        ReplicaStatus rs = r.replica();
        if (rs == null) {
            return new Judgement(ReplicationState.REPLICATION_STOPPED, "replication is not configured on the secondary");
        }
        if (s.errantGtids() != null && !s.errantGtids().isEmpty()) {
            // checked before the thread errors: with gtid_strict_mode an errant GTID breaks the SQL thread
            // ("out-of-order sequence number"), and the errant write is the cause an operator must see
            String error = rs.lastSqlErrno() != 0 ? "; SQL thread error " + rs.lastSqlErrno() + ": " + rs.lastSqlError()
                    : "";
            return new Judgement(ReplicationState.ERRANT_TRANSACTIONS,
                    "secondary executed GTIDs the primary never had: " + String.join(",", s.errantGtids()) + error);
        }
        if (!rs.sqlRunning() && rs.lastSqlErrno() != 0) {
            return new Judgement(ReplicationState.REPLICATION_BROKEN,
                    "SQL thread error " + rs.lastSqlErrno() + ": " + rs.lastSqlError());
        }
        if (!rs.ioConnected() && rs.lastIoErrno() != 0) {
            // the primary is reachable from here, so an IO error is a replication fault (credentials, binlog gone...)
            return new Judgement(ReplicationState.REPLICATION_BROKEN,
                    "IO thread error " + rs.lastIoErrno() + ": " + rs.lastIoError());
        }
        if (!rs.sqlRunning() || rs.ioThreadStopped()) {
            String which = !rs.sqlRunning() && rs.ioThreadStopped() ? "IO and SQL threads"
                    : !rs.sqlRunning() ? "SQL thread" : "IO thread";
            return new Judgement(ReplicationState.REPLICATION_STOPPED, which + " stopped");
        }
        if (!rs.ioConnected()) {
            return new Judgement(ReplicationState.LAGGING, "IO thread " + rs.ioRunning() + " (not receiving)");
        }
        if (s.lagMillis() == null) {
            return new Judgement(ReplicationState.LAGGING, "lag unknown (no heartbeat and Seconds_Behind NULL)");
        }
        if (s.lagMillis() > lagThresholdMillis) {
            return new Judgement(ReplicationState.LAGGING, "lag " + s.lagMillis() + " ms > " + lagThresholdMillis + " ms");
        }
        return new Judgement(ReplicationState.HEALTHY, "lag " + s.lagMillis() + " ms");
    }

    private static String ioError(ReplicaStatus rs) {
        if (rs.lastIoErrno() == 0) {
            return "";
        }
        return (ReplicaStatusParser.isConnectError(rs.lastIoErrno()) ? " (connect error " : " (error ")
                + rs.lastIoErrno() + ": " + rs.lastIoError() + ")";
    }
}
