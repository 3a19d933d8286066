package org.cam.replication.observe;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.time.Instant;

/**
 * What the monitor saw on one node in one observation. Unknown values are null, never a default.
 *
 * @param gtidPosition MySQL @@gtid_executed; MariaDB @@gtid_current_pos
 * @param gtidBinlogState MariaDB @@gtid_binlog_state (null on MySQL)
 * @param gtidSlavePos MariaDB @@gtid_slave_pos: what the SQL thread applied (null on MySQL)
 */
public record NodeObservation(
        String node,
        String address,
        Instant at,
        boolean reachable,
        String error,
        Flavour flavour,
        String version,
        Long serverId,
        Boolean readOnly,
        Boolean superReadOnly,
        String gtidPosition,
        String gtidBinlogState,
        String gtidSlavePos,
        ReplicaStatus replica,
        @JsonIgnore HeartbeatReading heartbeat) {

    public static NodeObservation unreachable(NodeEndpoint endpoint, Instant at, String error) {
        return new NodeObservation(endpoint.name(), endpoint.address(), at, false, error, null, null, null,
                null, null, null, null, null, null, null);
    }

    /** Writable for ordinary users (MySQL super_read_only also fences administrators). */
    @JsonIgnore
    public boolean writable() {
        return reachable && Boolean.FALSE.equals(readOnly);
    }
}
