package org.cam.management.identity;

import org.cam.management.identity.service.LockoutService;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

class LockoutServiceTest {

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void locksUserAfterNFailuresWithinTheWindowAndForgetsAfterIt() {
        MutableClock clock = new MutableClock();
        LockoutService l = new LockoutService(3, 100, Duration.ofMinutes(15), clock);
        assertThat(l.recordFailure("Bob", "10.0.0.1")).isNull();
        clock.now = clock.now.plusSeconds(60);
        assertThat(l.recordFailure("bob", "10.0.0.2")).isNull();
        assertThat(l.userLocked("bob")).isFalse();
        assertThat(l.recordFailure("bob", "10.0.0.3")).isEqualTo("USER");   // names are case-insensitive
        assertThat(l.userLocked("BOB")).isTrue();
        clock.now = clock.now.plus(Duration.ofMinutes(13));
        assertThat(l.userLocked("bob")).isTrue();                         // all three within 15 minutes
        clock.now = clock.now.plus(Duration.ofMinutes(2));    // the first failure left the window
        assertThat(l.userLocked("bob")).isFalse();
    }

    @Test
    void locksAddressAcrossUsersAndSuccessDoesNotUnlockIt() {
        MutableClock clock = new MutableClock();
        LockoutService l = new LockoutService(100, 4, Duration.ofMinutes(5), clock);
        for (int i = 0; i < 3; i++) {
            assertThat(l.recordFailure("user" + i, "192.0.2.7")).isNull();
        }
        assertThat(l.recordFailure("user9", "192.0.2.7")).isEqualTo("ADDRESS");
        assertThat(l.addressLocked("192.0.2.7")).isTrue();
        assertThat(l.addressLocked("192.0.2.8")).isFalse();
        l.recordSuccess("user9");
        assertThat(l.addressLocked("192.0.2.7")).isTrue();
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        assertThat(l.addressLocked("192.0.2.7")).isFalse();
    }

    @Test
    void successClearsTheUsersCounter() {
        LockoutService l = new LockoutService(2, 100, Duration.ofMinutes(5), new MutableClock());
        l.recordFailure("eve", "a");
        l.recordSuccess("eve");
        assertThat(l.recordFailure("eve", "a")).isNull();
        assertThat(l.userLocked("eve")).isFalse();
    }
}
