package org.cam.replication.judge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class HysteresisTest {

    private static Instant t(int s) {
        return Instant.ofEpochSecond(1_000_000 + s);
    }

    private static Judgement j(ReplicationState s) {
        return new Judgement(s, s.name());
    }

    @Test
    void needsNConsecutiveObservationsAndKeepsTheFirstSighting() {
        Hysteresis h = new Hysteresis(3);
        assertThat(h.accept(j(ReplicationState.HEALTHY), t(0)).changed()).isTrue();
        assertThat(h.accept(j(ReplicationState.LAGGING), t(1)).state()).isEqualTo(ReplicationState.HEALTHY);
        assertThat(h.accept(j(ReplicationState.LAGGING), t(2)).state()).isEqualTo(ReplicationState.HEALTHY);
        Hysteresis.Published p = h.accept(j(ReplicationState.LAGGING), t(3));
        assertThat(p.changed()).isTrue();
        assertThat(p.state()).isEqualTo(ReplicationState.LAGGING);
        assertThat(p.previous()).isEqualTo(ReplicationState.HEALTHY);
        assertThat(p.since()).isEqualTo(t(1));
    }

    @Test
    void aFlapResetsTheStreak() {
        Hysteresis h = new Hysteresis(2);
        h.accept(j(ReplicationState.HEALTHY), t(0));
        h.accept(j(ReplicationState.LAGGING), t(1));
        h.accept(j(ReplicationState.HEALTHY), t(2));
        assertThat(h.accept(j(ReplicationState.LAGGING), t(3)).state()).isEqualTo(ReplicationState.HEALTHY);
        assertThat(h.accept(j(ReplicationState.LAGGING), t(4)).state()).isEqualTo(ReplicationState.LAGGING);
    }
}
