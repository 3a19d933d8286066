package org.cam.management.common;

import io.quarkus.narayana.jta.QuarkusTransaction;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Runs work in a new transaction and repeats it when it lost a race that the database resolved by failing it:
 * an InnoDB deadlock victim (1213, SQLState 40001), a lock wait timeout (1205), or, for work that inserts a row
 * when it is absent, the duplicate key (1062) of a concurrent inserter that got there first (the repeat then finds
 * the row and updates it). The application runs at READ COMMITTED and writes upserts as single statements, so
 * these are rare; what remains is repeated after an exponential, fully jittered pause, so that the victims of one
 * pile-up do not collide again in lock step. The work must not have side effects outside the database.
 */
public final class Transactions {
    private static final Logger LOG = Logger.getLogger(Transactions.class);
    static final int ATTEMPTS = 6;
    /** First pause bound; doubles each attempt (5, 10, 20, 40, 80 ms), so the worst case waits about 155 ms. */
    static final long BASE_PAUSE_MILLIS = 5;

    private Transactions() {
    }

    public static <T> T retryingConflicts(String what, Supplier<T> work) {
        return retryingConflicts(what, ATTEMPTS, work);
    }

    static <T> T retryingConflicts(String what, int attempts, Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return QuarkusTransaction.requiringNew().call(work::get);
            } catch (RuntimeException e) {
                if (attempt >= attempts || !isConflict(e)) {
                    throw e;
                }
                LOG.debugf("%s: lost a race to a concurrent transaction (attempt %d of %d), repeating: %s", what,
                        attempt, attempts, e.getMessage());
                pause(attempt);
            }
        }
    }

    public static void retryingConflicts(String what, Runnable work) {
        retryingConflicts(what, () -> {
            work.run();
            return null;
        });
    }

    /** Full jitter: a random pause in [0, base * 2^(attempt-1)). */
    private static void pause(int attempt) {
        long bound = BASE_PAUSE_MILLIS << (attempt - 1);
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(bound) + 1);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while repeating a transaction", ie);
        }
    }

    /** Deadlock victim, lock wait timeout or duplicate key, anywhere in the cause chain. */
    public static boolean isConflict(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql && ("40001".equals(sql.getSQLState()) || sql.getErrorCode() == 1213
                    || sql.getErrorCode() == 1205 || sql.getErrorCode() == 1062)) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }
}
