package org.cam.management.identity;

import io.quarkus.test.junit.QuarkusTest;
import org.cam.management.identity.service.LockoutService;
import org.cam.management.support.Api;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against the real table (login_failure on MariaDB), with a clock of our own to move through the window; names and
 * addresses are unique per run because the table is shared with the rest of the suite. Two instances stand for
 * two replicas: what one counts, the other sees.
 */
@QuarkusTest
class LockoutServiceTest {

    static final class MutableClock extends Clock {
        Instant now = Instant.now();   // not in the past: the scheduled purge must not take our rows

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
        LockoutService other = new LockoutService(3, 100, Duration.ofMinutes(15), clock);
        String bob = Api.unique("bob");
        assertThat(l.recordFailure(bob.toUpperCase(), "10.0.0.1")).isNull();
        clock.now = clock.now.plusSeconds(60);
        assertThat(other.recordFailure(bob, "10.0.0.2")).isNull();        // another replica counts on
        assertThat(l.userLocked(bob)).isFalse();
        assertThat(l.recordFailure(bob, "10.0.0.3")).isEqualTo("USER");   // names are case-insensitive
        assertThat(other.userLocked(bob.toUpperCase())).isTrue();
        clock.now = clock.now.plus(Duration.ofMinutes(13));
        assertThat(l.userLocked(bob)).isTrue();                           // all three within 15 minutes
        clock.now = clock.now.plus(Duration.ofMinutes(2));    // the first failure left the window
        assertThat(l.userLocked(bob)).isFalse();
    }

    @Test
    void locksAddressAcrossUsersAndSuccessDoesNotUnlockIt() {
        MutableClock clock = new MutableClock();
        LockoutService l = new LockoutService(100, 4, Duration.ofMinutes(5), clock);
        String address = "192.0.2." + Api.unique("h");
        for (int i = 0; i < 3; i++) {
            assertThat(l.recordFailure(Api.unique("user"), address)).isNull();
        }
        String last = Api.unique("user");
        assertThat(l.recordFailure(last, address)).isEqualTo("ADDRESS");
        assertThat(l.addressLocked(address)).isTrue();
        assertThat(l.addressLocked(address + "0")).isFalse();
        l.recordSuccess(last);
        assertThat(l.addressLocked(address)).isTrue();
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        assertThat(l.addressLocked(address)).isFalse();
    }

    @Test
    void successClearsTheUsersCounter() {
        LockoutService l = new LockoutService(2, 100, Duration.ofMinutes(5), new MutableClock());
        String eve = Api.unique("eve");
        l.recordFailure(eve, "a");
        l.recordSuccess(eve);
        assertThat(l.recordFailure(eve, "a")).isNull();
        assertThat(l.userLocked(eve)).isFalse();
    }
}
