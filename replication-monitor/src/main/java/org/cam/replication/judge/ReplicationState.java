package org.cam.replication.judge;

public enum ReplicationState {
    HEALTHY,
    LAGGING,
    REPLICATION_STOPPED,
    REPLICATION_BROKEN,
    PRIMARY_DOWN,
    SECONDARY_DOWN,
    SPLIT_BRAIN_RISK,
    ERRANT_TRANSACTIONS,
    /** The monitor cannot reach the primary but the secondary still replicates from it: not a failover reason. */
    UNREACHABLE_FROM_MONITOR;

    /** Numeric value for the Prometheus state gauge (HEALTHY = 0). */
    public int code() {
        return ordinal();
    }
}
