package org.cam.replication.failover;

import java.time.Duration;
import java.time.Instant;
import org.cam.replication.judge.ReplicationState;

/** When automatic failover may act: off unless enabled, only after PRIMARY_DOWN lasted the grace period,
 * never twice within the block period. */
public record FailoverPolicy(boolean enabled, Duration grace, Duration block) {

    public boolean due(ReplicationState state, Instant since, Instant now, Instant lastFailover) {
        if (!enabled || state != ReplicationState.PRIMARY_DOWN || since == null) {
            return false;
        }
        if (Duration.between(since, now).compareTo(grace) < 0) {
            return false;
        }
        return lastFailover == null || Duration.between(lastFailover, now).compareTo(block) >= 0;
    }
}
