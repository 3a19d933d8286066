package org.cam.management.datasource;

import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLNonTransientConnectionException;

/**
 * Whether a failure means "the database we write to is no longer the primary": the node refused the write as
 * read-only (a switchover fenced it, or the router has not moved yet) or the connection to it is gone (a
 * killed primary, or HAProxy cutting the sessions of a node that stopped being primary).
 */
public enum PrimaryLoss {
    /** Not a topology failure: the caller handles it as before. */
    NONE,
    /** MySQL/MariaDB 1290 (--read-only) or 1836 (read-only mode): the statement was refused, nothing written. */
    READ_ONLY,
    /** The connection broke or could not be made (SQLState class 08, or the driver's connection exceptions). */
    CONNECTION,
    /**
     * The connection broke while the transaction was being committed: it may or may not have been written, so
     * repeating it could write it twice.
     */
    COMMIT_OUTCOME_UNKNOWN;

    static final int ER_OPTION_PREVENTS_STATEMENT = 1290;
    static final int ER_READ_ONLY_MODE = 1836;

    /**
     * Looks through the causes and the suppressed exceptions: a failed commit reaches us as Narayana's
     * RollbackException with Agroal's XAException (and the driver's SQLException under it) suppressed, not as a cause.
     */
    public static PrimaryLoss of(Throwable failure) {
        PrimaryLoss found = NONE;
        boolean atCommit = false;
        Deque<Throwable> todo = new ArrayDeque<>();
        Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        if (failure != null) {
            todo.add(failure);
        }
        while (!todo.isEmpty()) {
            Throwable c = todo.poll();
            if (!seen.add(c)) {
                continue;
            }
            if (c instanceof jakarta.transaction.HeuristicMixedException
                    || c instanceof jakarta.transaction.HeuristicRollbackException
                    || c instanceof javax.transaction.xa.XAException) {
                atCommit = true;
            }
            if (c instanceof SQLException sql) {
                if (sql.getErrorCode() == ER_OPTION_PREVENTS_STATEMENT || sql.getErrorCode() == ER_READ_ONLY_MODE) {
                    // refused, also when it was the COMMIT: the server rolled the transaction back
                    return READ_ONLY;
                }
                if (isConnectionFailure(sql)) {
                    found = CONNECTION;
                }
            }
            if (c.getCause() != null) {
                todo.add(c.getCause());
            }
            todo.addAll(List.of(c.getSuppressed()));
        }
        return found == CONNECTION && atCommit ? COMMIT_OUTCOME_UNKNOWN : found;
    }

    private static boolean isConnectionFailure(SQLException sql) {
        String state = sql.getSQLState();
        return (state != null && state.startsWith("08")) || sql instanceof SQLNonTransientConnectionException
                || sql instanceof SQLTransientConnectionException || sql instanceof SQLRecoverableException
                || sql.getClass().getName().endsWith("CommunicationsException");
    }

    /** Whether running the whole transaction again cannot write anything twice. */
    public boolean safeToRepeat() {
        return this == READ_ONLY || this == CONNECTION;
    }
}
