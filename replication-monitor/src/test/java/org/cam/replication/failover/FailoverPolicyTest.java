package org.cam.replication.failover;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.cam.replication.judge.ReplicationState;
import org.junit.jupiter.api.Test;

class FailoverPolicyTest {

    private static final Instant DOWN = Instant.parse("2026-11-24T10:00:00Z");

    @Test
    void offByDefault() {
        FailoverPolicy off = new FailoverPolicy(false, Duration.ofSeconds(30), Duration.ofHours(1));
        assertThat(off.due(ReplicationState.PRIMARY_DOWN, DOWN, DOWN.plusSeconds(600), null)).isFalse();
    }

    @Test
    void onlyAfterGraceOnlyForPrimaryDownAndNeverTwiceWithinTheBlock() {
        FailoverPolicy p = new FailoverPolicy(true, Duration.ofSeconds(30), Duration.ofHours(1));
        assertThat(p.due(ReplicationState.PRIMARY_DOWN, DOWN, DOWN.plusSeconds(29), null)).isFalse();
        assertThat(p.due(ReplicationState.PRIMARY_DOWN, DOWN, DOWN.plusSeconds(30), null)).isTrue();
        assertThat(p.due(ReplicationState.UNREACHABLE_FROM_MONITOR, DOWN, DOWN.plusSeconds(300), null)).isFalse();
        Instant last = DOWN.minusSeconds(1800);
        assertThat(p.due(ReplicationState.PRIMARY_DOWN, DOWN, DOWN.plusSeconds(60), last)).isFalse();
        assertThat(p.due(ReplicationState.PRIMARY_DOWN, DOWN, DOWN.plusSeconds(1801), last)).isTrue();
    }
}
