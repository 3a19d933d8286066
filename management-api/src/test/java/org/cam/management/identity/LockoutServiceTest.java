package org.cam.management.identity;

import io.quarkus.test.junit.QuarkusTest;
import org.cam.management.identity.service.LockoutService;
import org.cam.management.support.Api;
import org.cam.testsupport.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against the real table (login_failure on MariaDB), with a clock of our own to move through the window; names and
 * addresses are unique per run because the table is shared with the rest of the suite. Two instances stand for
 * two replicas: what one counts, the other sees.
 */
@QuarkusTest
class LockoutServiceTest {


    /** An attempt that failed its password check; what it locked. */
    static String fail(LockoutService l, String user, String address) {
        LockoutService.Attempt a = l.begin(user, address);
        assertThat(a.locked()).as("attempt of " + user + " refused before its check").isNull();
        return l.failed(a);
    }

    /** Whether an attempt now would be refused without a password check (the probe itself does not count). */
    static String probe(LockoutService l, String user, String address) {
        LockoutService.Attempt a = l.begin(user, address);
        if (a.locked() == null) {
            l.notCounted(a);
        }
        return a.locked();
    }

    @Test
    void locksUserAfterNFailuresWithinTheWindowAndForgetsAfterIt() {
        MutableClock clock = new MutableClock();
        LockoutService l = new LockoutService(3, 100, Duration.ofMinutes(15), clock);
        LockoutService other = new LockoutService(3, 100, Duration.ofMinutes(15), clock);
        String bob = Api.unique("bob");
        assertThat(fail(l, bob.toUpperCase(), "10.0.0.1")).isNull();
        clock.now = clock.now.plusSeconds(60);
        assertThat(fail(other, bob, "10.0.0.2")).isNull();                 // another replica counts on
        assertThat(probe(l, bob, "10.0.0.9")).isNull();
        assertThat(fail(l, bob, "10.0.0.3")).isEqualTo("USER");            // names are case-insensitive
        assertThat(probe(other, bob.toUpperCase(), "10.0.0.9")).isEqualTo("USER");
        clock.now = clock.now.plus(Duration.ofMinutes(13));
        assertThat(probe(l, bob, "10.0.0.9")).isEqualTo("USER");           // all three within 15 minutes
        clock.now = clock.now.plus(Duration.ofMinutes(2));    // the first failure left the window
        assertThat(probe(l, bob, "10.0.0.9")).isNull();
    }

    @Test
    void aRefusedAttemptDoesNotExtendTheLockout() {
        MutableClock clock = new MutableClock();
        LockoutService l = new LockoutService(2, 100, Duration.ofMinutes(5), clock);
        String zed = Api.unique("zed");
        fail(l, zed, "10.0.1.1");
        fail(l, zed, "10.0.1.1");
        for (int i = 0; i < 5; i++) {
            LockoutService.Attempt a = l.begin(zed, "10.0.1.1");
            assertThat(a.locked()).isEqualTo("USER");
        }
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        assertThat(probe(l, zed, "10.0.1.1")).isNull();
    }

    @Test
    void locksAddressAcrossUsersAndSuccessDoesNotUnlockIt() {
        MutableClock clock = new MutableClock();
        LockoutService l = new LockoutService(100, 4, Duration.ofMinutes(5), clock);
        String address = "192.0.2." + Api.unique("h");
        for (int i = 0; i < 3; i++) {
            assertThat(fail(l, Api.unique("user"), address)).isNull();
        }
        String last = Api.unique("user");
        assertThat(fail(l, last, address)).isEqualTo("ADDRESS");
        assertThat(probe(l, Api.unique("user"), address)).isEqualTo("ADDRESS");
        assertThat(probe(l, Api.unique("user"), address + "0")).isNull();
        clock.now = clock.now.plus(Duration.ofMinutes(6));
        assertThat(probe(l, Api.unique("user"), address)).isNull();
    }

    @Test
    void successClearsTheUsersCounterAndItsOwnAttemptOnly() {
        LockoutService l = new LockoutService(2, 2, Duration.ofMinutes(5), new MutableClock());
        String eve = Api.unique("eve");
        String address = "198.51.100." + Api.unique("h");
        fail(l, eve, address);
        l.succeeded(l.begin(eve, address));
        assertThat(fail(l, eve, "a")).isNull();
        assertThat(probe(l, eve, "b")).isNull();
        // the address keeps its failure and the success did not count against it
        assertThat(fail(l, Api.unique("mallory"), address)).isEqualTo("ADDRESS");
    }

    @Test
    void attemptsQueueBehindTheLimitAndRightOnesAllGetTheirCheck() throws Exception {
        LockoutService l = new LockoutService(2, 100, Duration.ofMinutes(5), new MutableClock());
        String kim = Api.unique("kim");
        LockoutService.Attempt first = l.begin(kim, "10.0.2.1");
        LockoutService.Attempt second = l.begin(kim, "10.0.2.2");
        assertThat(first.locked()).isNull();
        assertThat(second.locked()).isNull();
        // a third waits for the two checks ahead of it; the first succeeds, so it goes ahead
        java.util.concurrent.CompletableFuture<LockoutService.Attempt> third =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> l.begin(kim, "10.0.2.3"));
        l.succeeded(first);
        assertThat(third.get(30, java.util.concurrent.TimeUnit.SECONDS).locked()).isNull();
        // both fail: the limit is reached, the next one is refused at once
        l.failed(second);
        assertThat(l.failed(third.get())).isEqualTo("USER");
        assertThat(probe(l, kim, "10.0.2.4")).isEqualTo("USER");
    }
}
