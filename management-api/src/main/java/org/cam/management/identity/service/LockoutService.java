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

/**
 * Sliding-window failure counters per user name and per source address, kept in the database (table
 * {@code login_failure}) so that all replicas count the same failures and a spray of addresses costs rows that
 * are purged, not memory. Each call runs in a transaction of its own: a login is decided before any other work.
 */
@ApplicationScoped
public class LockoutService {
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

    public boolean userLocked(String username) {
        return QuarkusTransaction.requiringNew().call(() -> count(USER, key(username)) >= maxPerUser);
    }

    public boolean addressLocked(String address) {
        return address != null
                && QuarkusTransaction.requiringNew().call(() -> count(ADDRESS, address) >= maxPerAddress);
    }

    /** Counts a failure; returns what just became locked (USER, ADDRESS) or null. */
    public String recordFailure(String username, String address) {
        return QuarkusTransaction.requiringNew().call(() -> {
            long user = count(USER, key(username));
            long addr = address == null ? 0 : count(ADDRESS, address);
            insert(USER, key(username));
            if (address != null) {
                insert(ADDRESS, address);
            }
            if (user < maxPerUser && user + 1 >= maxPerUser) {
                return "USER";
            }
            if (address != null && addr < maxPerAddress && addr + 1 >= maxPerAddress) {
                return "ADDRESS";
            }
            return null;
        });
    }

    /** A successful login clears the user's counter (not the address's: one good account must not unlock it). */
    public void recordSuccess(String username) {
        forget(username);
    }

    /** Administrative unlock. */
    public void unlockUser(String username) {
        forget(username);
    }

    @Scheduled(every = "5m", delayed = "1m")
    void purge() {
        QuarkusTransaction.requiringNew().run(() -> em().createNativeQuery(
                        "DELETE FROM login_failure WHERE failed_at <= ?1")
                .setParameter(1, cutoff()).executeUpdate());
    }

    private void forget(String username) {
        QuarkusTransaction.requiringNew().run(() -> em().createNativeQuery(
                        "DELETE FROM login_failure WHERE kind = ?1 AND subject = ?2")
                .setParameter(1, USER).setParameter(2, key(username)).executeUpdate());
    }

    private long count(String kind, String subject) {
        return ((Number) em().createNativeQuery(
                        "SELECT COUNT(*) FROM login_failure WHERE kind = ?1 AND subject = ?2 AND failed_at > ?3")
                .setParameter(1, kind).setParameter(2, subject).setParameter(3, cutoff()).getSingleResult())
                .longValue();
    }

    private void insert(String kind, String subject) {
        em().createNativeQuery("INSERT INTO login_failure (kind, subject, failed_at) VALUES (?1, ?2, ?3)")
                .setParameter(1, kind).setParameter(2, subject).setParameter(3, clock.instant()).executeUpdate();
    }

    /** The request's entity manager; also works for instances made with the plain constructor (tests). */
    private static EntityManager em() {
        return io.quarkus.hibernate.orm.panache.Panache.getEntityManager();
    }

    private Instant cutoff() {
        return clock.instant().minus(window);
    }

    private static String key(String username) {
        String k = username == null ? "" : username.toLowerCase();
        return k.length() > 255 ? k.substring(0, 255) : k;
    }
}
