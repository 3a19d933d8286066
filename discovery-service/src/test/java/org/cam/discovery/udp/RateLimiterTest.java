package org.cam.discovery.udp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private static final long S = 1_000_000_000L;

    @Test
    void allowsTheBurstThenTheSustainedRatePerSource() {
        RateLimiter l = new RateLimiter(10, 5, 100);
        for (int i = 0; i < 5; i++) {
            assertThat(l.tryAcquire("a", 0)).isTrue();
        }
        assertThat(l.tryAcquire("a", 0)).isFalse();
        assertThat(l.tryAcquire("b", 0)).as("another source has its own bucket").isTrue();
        assertThat(l.tryAcquire("a", S / 10)).as("one token after 100 ms at 10/s").isTrue();
        assertThat(l.tryAcquire("a", S / 10)).isFalse();
        int ok = 0;
        for (int i = 0; i < 100; i++) {
            if (l.tryAcquire("a", 10 * S)) {
                ok++;
            }
        }
        assertThat(ok).as("refill is capped at the burst").isEqualTo(5);
    }

    @Test
    void idleSourcesAreEvictedWhenTheTableIsFull() {
        RateLimiter l = new RateLimiter(10, 2, 3);
        l.tryAcquire("a", 0);
        l.tryAcquire("b", 0);
        l.tryAcquire("c", 0);
        assertThat(l.trackedSources()).isEqualTo(3);
        assertThat(l.tryAcquire("d", 10 * S)).isTrue();
        assertThat(l.trackedSources()).isEqualTo(1);
    }

    @Test
    void whenNoSourceIsIdleNewSourcesAreRefusedAndTheTableIsNotRescannedForEachDatagram() {
        RateLimiter l = new RateLimiter(1, 1, 2);
        assertThat(l.tryAcquire("a", 0)).isTrue();
        assertThat(l.tryAcquire("b", 0)).isTrue();
        assertThat(l.tryAcquire("c", 0)).as("a and b are not idle: c is refused").isFalse();
        assertThat(l.trackedSources()).isEqualTo(2);
        assertThat(l.tryAcquire("c", S / 2)).as("within a second of the last scan: no rescan").isFalse();
        assertThat(l.tryAcquire("c", 2 * S)).as("a second later the idle buckets are evicted").isTrue();
    }

    @Test
    void rejectsNonsenseSettings() {
        assertThatThrownBy(() -> new RateLimiter(0, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
