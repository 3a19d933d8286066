package org.cam.management.identity.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.cam.management.config.ManagementConfig;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Supplier;
import org.cam.management.datasource.PrimaryLoss;
import org.jboss.logging.Logger;

/**
 * Sliding-window failure counters per user name and per source address, kept in the database (table
 * {@code login_failure}) so that all replicas count the same failures and a spray of addresses costs rows that
 * are purged, not memory. Each call runs in a transaction of its own: a login is decided before any other work.
 * An attempt is recorded before it is decided ({@link #begin}), so parallel guesses cannot all pass the check.
 *
 * <p>While the database takes no writes (the read-only moment of a switchover, a failover's grace) an attempt cannot
 * be recorded. Refusing every login then would stop automation's reads along with the writes; counting nothing would
 * open a window for guessing. So the failures of that interval are counted in this instance's memory, with the same
 * limits, on top of the failures the database still shows; they are not written back afterwards.
 */
@ApplicationScoped
public class LockoutService {
    private static final Logger LOG = Logger.getLogger(LockoutService.class);
    /** Row id of an attempt that could not be recorded. */
    static final long UNRECORDED = -1;
    static final String USER = "U";
    static final String ADDRESS = "A";

    private final int maxPerUser;
    private final int maxPerAddress;
    private final Duration window;
    private final Clock clock;

    @Inject
    public LockoutService(ManagementConfig config) {
        this(config.lockout().maxFailuresPerUser(), config.lockout().maxFailuresPerAddress(),
                config.lockout().window(), Clock.systemUTC());
    }

    public LockoutService(int maxPerUser, int maxPerAddress, Duration window, Clock clock) {
        this.maxPerUser = maxPerUser;
        this.maxPerAddress = maxPerAddress;
        this.window = window;
        this.clock = clock;
    }

    /** How long an attempt waits for the checks under way (a password check takes well under a second). */
    static final Duration QUEUE_WAIT = Duration.ofSeconds(10);

    /** A pending attempt older than this was abandoned (a replica died mid-check): it counts as a failure. */
    static final Duration ABANDONED = Duration.ofMinutes(1);

    /**
     * One login attempt, recorded before its check. {@code locked} is USER or ADDRESS when it must be refused without
     * a password check, else null.
     */
    public record Attempt(String user, String address, long userRow, Long addressRow, String locked) {
        boolean recorded() {
            return userRow != UNRECORDED;
        }
    }

    /** Failures per "kind:subject" that the database could not record, newest last. */
    private final Map<String, Deque<Instant>> unrecordedFailures = new ConcurrentHashMap<>();

    /**
     * Claims a check: records the attempt (pending) and commits, then counts failures plus every pending attempt,
     * its own included. Over the limit it withdraws and tries again after a jittered pause (refused when the failures
     * alone reach the limit, or after {@link #QUEUE_WAIT}). Whichever of concurrent claims commits last sees all the
     * others, so no more than the limit of checks can be under way or failed at once, whatever the commit order; N
     * parallel right ones all get theirs in turn.
     */
    public Attempt begin(String username, String address) {
        String user = key(username);
        Instant deadline = clock.instant().plus(QUEUE_WAIT);
        while (true) {
            long[] rows;
            try {
                rows = QuarkusTransaction.requiringNew().call(() -> new long[] {insert(USER, user),
                        address == null ? -1 : insert(ADDRESS, address)});
            } catch (RuntimeException e) {
                if (PrimaryLoss.of(e) == PrimaryLoss.NONE) {
                    throw e;
                }
                return beginUnrecorded(user, address);
            }
            Long addressRow = address == null ? null : rows[1];
            Attempt mine = new Attempt(user, address, rows[0], addressRow, null);
            String verdict = QuarkusTransaction.requiringNew().call(() -> {
                long[] u = counts(USER, user);
                long[] a = address == null ? new long[2] : counts(ADDRESS, address);
                if (u[0] >= maxPerUser) {
                    return "USER";
                }
                if (address != null && a[0] >= maxPerAddress) {
                    return "ADDRESS";
                }
                return u[0] + u[1] <= maxPerUser && (address == null || a[0] + a[1] <= maxPerAddress) ? "GO" : "WAIT";
            });
            if (verdict.equals("GO")) {
                return mine;
            }
            notCounted(mine);   // withdrawn: a refused or waiting attempt does not extend the lockout
            if (!verdict.equals("WAIT") || clock.instant().isAfter(deadline)) {
                return new Attempt(user, address, rows[0], addressRow, verdict.equals("WAIT") ? "USER" : verdict);
            }
            try {
                Thread.sleep(20 + java.util.concurrent.ThreadLocalRandom.current().nextInt(80));   // jittered back-off
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting to check a login", e);
            }
        }
    }

    /** The password check failed: the attempt becomes a failure. Returns what that locked (USER, ADDRESS) or null. */
    public String failed(Attempt a) {
        if (!a.recorded()) {
            return failedUnrecorded(a);
        }
        return orWhenUnwritable(() -> {
            leftOver(a);   // counted in memory now: its pending row must not turn into a second failure later
            return failedUnrecorded(a);
        }, () -> QuarkusTransaction.requiringNew().call(() -> {
            em().createNativeQuery("UPDATE login_failure SET pending = FALSE WHERE id IN (?1, ?2)")
                    .setParameter(1, a.userRow()).setParameter(2, a.addressRow() == null ? -1 : a.addressRow())
                    .executeUpdate();
            if (counts(USER, a.user())[0] == maxPerUser) {
                return "USER";
            }
            return a.address() != null && counts(ADDRESS, a.address())[0] == maxPerAddress ? "ADDRESS" : null;
        }));
    }

    /**
     * A successful login clears the user's failures and its own attempt (not the address's failures: one good account
     * must not unlock it).
     */
    public void succeeded(Attempt a) {
        forget(a.user());
        notCounted(a);
    }

    /** An attempt that must not count (refused, malformed credentials, directory unreachable): its rows go. */
    public void notCounted(Attempt a) {
        if (!a.recorded()) {
            return;
        }
        orWhenUnwritable(() -> {
            leftOver(a);
            return null;
        }, () -> delete(a.userRow(), a.addressRow() == null ? -1 : a.addressRow()));
    }

    private void delete(long userRow, long addressRow) {
        QuarkusTransaction.requiringNew().run(() -> em().createNativeQuery(
                        "DELETE FROM login_failure WHERE id IN (?1, ?2)")
                .setParameter(1, userRow).setParameter(2, addressRow).executeUpdate());
    }

    /**
     * The pending rows of an attempt whose outcome could not be written (the database stopped taking writes between
     * the attempt's record and its end): deleted as soon as it takes writes again, well before such a row would
     * count as an abandoned attempt. Left in place, every switchover under automation's logins would add failures
     * and end up locking the account out.
     */
    private void leftOver(Attempt a) {
        leftOverRows.add(new long[] {a.userRow(), a.addressRow() == null ? -1 : a.addressRow()});
    }

    private final java.util.Queue<long[]> leftOverRows = new java.util.concurrent.ConcurrentLinkedQueue<>();

    /** Scheduled; public for the tests, which drive instances of their own. */
    @Scheduled(every = "2s", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public void deleteLeftOvers() {
        for (long[] rows = leftOverRows.peek(); rows != null; rows = leftOverRows.peek()) {
            try {
                delete(rows[0], rows[1]);
            } catch (RuntimeException e) {
                if (PrimaryLoss.of(e) == PrimaryLoss.NONE) {
                    throw e;
                }
                return;   // still no primary: next time
            }
            leftOverRows.poll();
        }
    }

    /** How many attempts' rows wait to be deleted. */
    public int leftOvers() {
        return leftOverRows.size();
    }

    /**
     * An attempt the database could not record: refused when the failures it still shows plus those counted here
     * reach a limit, else let through without a queue (the interval is short, and each failure counts at once).
     */
    private Attempt beginUnrecorded(String user, String address) {
        long userFailures = unrecorded(USER, user) + orWhenUnreadable(() -> counts(USER, user)[0]);
        long addressFailures = address == null ? 0
                : unrecorded(ADDRESS, address) + orWhenUnreadable(() -> counts(ADDRESS, address)[0]);
        String locked = userFailures >= maxPerUser ? "USER"
                : address != null && addressFailures >= maxPerAddress ? "ADDRESS" : null;
        return new Attempt(user, address, UNRECORDED, address == null ? null : UNRECORDED, locked);
    }

    private String failedUnrecorded(Attempt a) {
        String locked = null;
        if (count(USER, a.user()) + orWhenUnreadable(() -> counts(USER, a.user())[0]) == maxPerUser) {
            locked = "USER";
        }
        if (a.address() != null
                && count(ADDRESS, a.address()) + orWhenUnreadable(() -> counts(ADDRESS, a.address())[0]) == maxPerAddress
                && locked == null) {
            locked = "ADDRESS";
        }
        return locked;
    }

    /** Counts one failure in memory; the failures of that subject within the window, this one included. */
    private long count(String kind, String subject) {
        Deque<Instant> failures = unrecordedFailures.computeIfAbsent(kind + ":" + subject,
                k -> new ConcurrentLinkedDeque<>());
        failures.addLast(clock.instant());
        return unrecorded(kind, subject);
    }

    private long unrecorded(String kind, String subject) {
        Deque<Instant> failures = unrecordedFailures.get(kind + ":" + subject);
        if (failures == null) {
            return 0;
        }
        Instant cutoff = cutoff();
        while (!failures.isEmpty() && !failures.peekFirst().isAfter(cutoff)) {
            failures.pollFirst();
        }
        return failures.size();
    }

    /** The database's failure count within a transaction of its own, or 0 when no node answers at all. */
    private long orWhenUnreadable(Supplier<Long> read) {
        try {
            return QuarkusTransaction.requiringNew().call(read::get);
        } catch (RuntimeException e) {
            if (PrimaryLoss.of(e) == PrimaryLoss.NONE) {
                throw e;
            }
            return 0;
        }
    }

    private static <T> T orWhenUnwritable(Supplier<T> fallback, Supplier<T> write) {
        try {
            return write.get();
        } catch (RuntimeException e) {
            if (PrimaryLoss.of(e) == PrimaryLoss.NONE) {
                throw e;
            }
            LOG.debugf("login attempt bookkeeping not written (%s): counted in memory", PrimaryLoss.of(e));
            return fallback.get();
        }
    }

    private static void orWhenUnwritable(Supplier<Void> fallback, Runnable write) {
        orWhenUnwritable(fallback, () -> {
            write.run();
            return null;
        });
    }

    /** Administrative unlock. */
    public void unlockUser(String username) {
        forget(key(username));
    }

    @Scheduled(every = "5m", delayed = "1m")
    void purge() {
        Instant cutoff = cutoff();
        unrecordedFailures.values().forEach(d -> d.removeIf(t -> !t.isAfter(cutoff)));
        unrecordedFailures.values().removeIf(Deque::isEmpty);
        QuarkusTransaction.requiringNew().run(() -> em().createNativeQuery(
                        "DELETE FROM login_failure WHERE failed_at <= ?1")
                .setParameter(1, cutoff()).executeUpdate());
    }

    /** The user's finished failures go; attempts still being checked stay. */
    private void forget(String user) {
        unrecordedFailures.remove(USER + ":" + user);
        orWhenUnwritable(() -> null, () -> QuarkusTransaction.requiringNew().run(() -> em().createNativeQuery(
                        "DELETE FROM login_failure WHERE kind = ?1 AND subject = ?2 AND pending = FALSE")
                .setParameter(1, USER).setParameter(2, user).executeUpdate()));
    }

    /** Within the window: {failures, attempts being checked}. A pending attempt abandoned long ago is a failure. */
    private long[] counts(String kind, String subject) {
        Object[] r = (Object[]) em().createNativeQuery(
                        "SELECT COALESCE(SUM(CASE WHEN pending = FALSE OR failed_at <= ?4 THEN 1 ELSE 0 END), 0), "
                                + "COALESCE(SUM(CASE WHEN pending = TRUE AND failed_at > ?4 THEN 1 ELSE 0 END), 0) "
                                + "FROM login_failure WHERE kind = ?1 AND subject = ?2 AND failed_at > ?3")
                .setParameter(1, kind).setParameter(2, subject).setParameter(3, cutoff())
                .setParameter(4, clock.instant().minus(ABANDONED)).getSingleResult();
        return new long[] {((Number) r[0]).longValue(), ((Number) r[1]).longValue()};
    }

    /** A pending attempt; its id. */
    private long insert(String kind, String subject) {
        em().createNativeQuery(
                        "INSERT INTO login_failure (kind, subject, failed_at, pending) VALUES (?1, ?2, ?3, TRUE)")
                .setParameter(1, kind).setParameter(2, subject).setParameter(3, clock.instant()).executeUpdate();
        return ((Number) em().createNativeQuery("SELECT LAST_INSERT_ID()").getSingleResult()).longValue();
    }

    /** The request's entity manager; also works for instances made with the plain constructor (tests). */
    private static EntityManager em() {
        return io.quarkus.hibernate.orm.panache.Panache.getEntityManager();
    }

    private Instant cutoff() {
        return clock.instant().minus(window);
    }

    private static String key(String username) {
        String k = username == null ? "" : org.cam.management.identity.UserNames.canonical(username);
        return k.length() > 255 ? k.substring(0, 255) : k;
    }
}
