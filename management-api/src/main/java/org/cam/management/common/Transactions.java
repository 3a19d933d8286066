package org.cam.management.common;

import io.quarkus.narayana.jta.QuarkusTransaction;
import org.jboss.logging.Logger;

import java.sql.SQLException;
import java.util.function.Supplier;

/**
 * Runs work in a new transaction and repeats it when InnoDB chose it as a deadlock victim (error 1213, SQLState
 * 40001) or gave up waiting for a lock (1205). Such failures are normal under concurrency: an upsert locks a gap
 * ({@code SELECT ... FOR UPDATE} on a row that does not exist yet) and two inserters into the same gap deadlock.
 * InnoDB rolled the victim back completely and the winner holds the locks, so running it again at once is safe
 * and enough; the work must not have side effects outside the database.
 */
public final class Transactions {
    private static final Logger LOG = Logger.getLogger(Transactions.class);
    static final int ATTEMPTS = 5;

    private Transactions() {
    }

    public static <T> T retryingDeadlocks(String what, Supplier<T> work) {
        for (int attempt = 1; ; attempt++) {
            try {
                return QuarkusTransaction.requiringNew().call(work::get);
            } catch (RuntimeException e) {
                if (attempt >= ATTEMPTS || !isLockConflict(e)) {
                    throw e;
                }
                LOG.debugf("%s: lock conflict (attempt %d of %d), repeating: %s", what, attempt, ATTEMPTS,
                        e.getMessage());
            }
        }
    }

    public static void retryingDeadlocks(String what, Runnable work) {
        retryingDeadlocks(what, () -> {
            work.run();
            return null;
        });
    }

    /** Deadlock victim or lock wait timeout, anywhere in the cause chain. */
    public static boolean isLockConflict(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql && ("40001".equals(sql.getSQLState()) || sql.getErrorCode() == 1213
                    || sql.getErrorCode() == 1205)) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }
}
