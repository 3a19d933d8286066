package org.cam.replication.observe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HeartbeatLagTest {

    private static final long MS = 1_000_000L;

    @Test
    void newestBeatAppliedMeansNoLag() {
        Heartbeat hb = new Heartbeat("cam_monitor");
        hb.remember(1, 1000 * MS);
        hb.remember(2, 2000 * MS);
        assertThat(hb.lagMillis(new HeartbeatReading(hb.epoch(), 2, 0, 0, 2500 * MS))).isZero();
    }

    @Test
    void bracketedLagIsTheMiddleOfTheBracket() {
        Heartbeat hb = new Heartbeat("cam_monitor");
        for (int i = 1; i <= 10; i++) {
            hb.remember(i, i * 1000 * MS);
        }
        // read at 10.5 s; beat 6 (written 6 s) applied, beat 7 (7 s) not: lag in (3.5 s, 4.5 s]
        assertThat(hb.lagMillis(new HeartbeatReading(hb.epoch(), 6, 0, 0, 10_500 * MS))).isEqualTo(4000);
    }

    @Test
    void beatWrittenAfterTheReadDoesNotCount() {
        Heartbeat hb = new Heartbeat("cam_monitor");
        hb.remember(1, 1000 * MS);
        hb.remember(2, 3000 * MS);
        assertThat(hb.lagMillis(new HeartbeatReading(hb.epoch(), 1, 0, 0, 2000 * MS))).isZero();
    }

    @Test
    void foreignEpochFallsBackToWallClocks() {
        Heartbeat hb = new Heartbeat("cam_monitor");
        hb.remember(1, 1000 * MS);
        long other = hb.epoch() + 1;
        assertThat(hb.lagMillis(new HeartbeatReading(other, 1, 5_000_000, 7_250_000, 0))).isEqualTo(2250);
        assertThat(hb.lagMillis(null)).isNull();
    }
}
