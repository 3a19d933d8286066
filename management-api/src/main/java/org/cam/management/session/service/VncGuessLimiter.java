package org.cam.management.session.service;

import io.quarkus.hibernate.orm.panache.Panache;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.cam.management.config.ManagementConfig;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * One-time password guesses (claims by VNC response) per client address, counted in the database so that every
 * replica sees the same guesses. The rows share {@code login_failure} with the login lockout (kind {@code V}, purged
 * with it). As for logins, an attempt is recorded (pending) and committed before anything is checked, and decided on
 * the count that includes it: failures plus the checks under way, its own included, must stay within the limit, so
 * parallel guesses from one address get no more checks than the limit allows. A refused attempt is withdrawn (it does
 * not extend the throttling); a failed one stays for the window.
 */
@ApplicationScoped
public class VncGuessLimiter {
    static final String KIND = "V";

    /** The setting is "per minute". */
    static final Duration WINDOW = Duration.ofMinutes(1);

    /** A pending attempt older than this was abandoned (a replica died mid-check): it counts as a failure. */
    static final Duration ABANDONED = Duration.ofSeconds(30);

    private final int max;
    private final Clock clock;

    @Inject
    public VncGuessLimiter(ManagementConfig config) {
        this(config.sessions().vncFailuresPerMinute(), Clock.systemUTC());
    }

    VncGuessLimiter(int max, Clock clock) {
        this.max = max;
        this.clock = clock;
    }

    /** A recorded attempt; {@code throttled}: refused without a check (and already withdrawn). */
    public record Attempt(String address, long row, boolean throttled) {
    }

    /** Records the attempt, then decides on the count that includes it. Two short transactions of their own. */
    public Attempt begin(String clientAddress) {
        String address = key(clientAddress);
        long row = QuarkusTransaction.requiringNew().call(() -> {
            em().createNativeQuery(
                            "INSERT INTO login_failure (kind, subject, failed_at, pending) VALUES (?1, ?2, ?3, TRUE)")
                    .setParameter(1, KIND).setParameter(2, address).setParameter(3, clock.instant()).executeUpdate();
            return ((Number) em().createNativeQuery("SELECT LAST_INSERT_ID()").getSingleResult()).longValue();
        });
        boolean throttled = QuarkusTransaction.requiringNew().call(() -> {
            long[] c = counts(address);
            if (c[0] >= max || c[0] + c[1] > max) {
                delete(row);
                return true;
            }
            return false;
        });
        return new Attempt(address, row, throttled);
    }

    /** No session answered: the attempt becomes a failure. True when this failure used up the address's guesses. */
    public boolean failed(Attempt a) {
        return QuarkusTransaction.requiringNew().call(() -> {
            em().createNativeQuery("UPDATE login_failure SET pending = FALSE WHERE id = ?1")
                    .setParameter(1, a.row()).executeUpdate();
            return counts(a.address())[0] == max;
        });
    }

    /** A session answered: the attempt goes (earlier failures of the address stay). */
    public void succeeded(Attempt a) {
        QuarkusTransaction.requiringNew().run(() -> delete(a.row()));
    }

    /** How long a throttled address waits at most: its oldest failure leaves the window by then. */
    public int retryAfterSeconds() {
        return (int) WINDOW.toSeconds();
    }

    /** Within the window: {failures, attempts being checked}; a pending attempt abandoned long ago is a failure. */
    private long[] counts(String address) {
        Instant now = clock.instant();
        Object[] r = (Object[]) em().createNativeQuery(
                        "SELECT COALESCE(SUM(CASE WHEN pending = FALSE OR failed_at <= ?4 THEN 1 ELSE 0 END), 0), "
                                + "COALESCE(SUM(CASE WHEN pending = TRUE AND failed_at > ?4 THEN 1 ELSE 0 END), 0) "
                                + "FROM login_failure WHERE kind = ?1 AND subject = ?2 AND failed_at > ?3")
                .setParameter(1, KIND).setParameter(2, address).setParameter(3, now.minus(WINDOW))
                .setParameter(4, now.minus(ABANDONED)).getSingleResult();
        return new long[] {((Number) r[0]).longValue(), ((Number) r[1]).longValue()};
    }

    private static void delete(long row) {
        em().createNativeQuery("DELETE FROM login_failure WHERE id = ?1").setParameter(1, row).executeUpdate();
    }

    private static EntityManager em() {
        return Panache.getEntityManager();
    }

    private static String key(String address) {
        String a = address == null || address.isBlank() ? "?" : address;
        return a.length() > 255 ? a.substring(0, 255) : a;
    }
}
