package org.cam.management.common;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.OptimisticLockException;
import org.cam.management.datasource.PrimaryFailover;
import org.cam.management.datasource.PrimaryLoss;
import org.cam.rest.problem.ProblemException;
import org.cam.rest.problem.ProblemTranslator;

import java.util.Optional;

/**
 * What management-api's database failures mean to a client, for the shared problem mapper: a database that
 * stopped being the primary (outside a @Transactional method, whose interceptor answers itself) and a pool with
 * every connection busy are 503 with Retry-After, never a 500; a concurrent change is a 409 on {@code version};
 * a unique or foreign key violation a 409.
 */
@ApplicationScoped
public class DatabaseProblems implements ProblemTranslator {
    @Inject
    PrimaryFailover failover;

    @Override
    public Optional<ProblemException> translate(Throwable e) {
        PrimaryLoss loss = PrimaryLoss.of(e);
        if (loss != PrimaryLoss.NONE) {
            failover.evictStaleConnections(loss);
            return Optional.of(PrimaryFailover.unavailable(loss));
        }
        if (connectionPoolExhausted(e)) {
            // overload, not a fault: every pooled connection is busy for longer than the acquisition timeout
            return Optional.of(ApiException.unavailable("all database connections are busy; retry shortly", 1));
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof OptimisticLockException || cause instanceof org.hibernate.StaleStateException) {
                return Optional.of(ApiException.conflict("version",
                        "the object was changed concurrently; reload and retry"));
            }
            if (cause instanceof org.hibernate.exception.ConstraintViolationException) {
                return Optional.of(ApiException.conflict(null, "the change conflicts with existing data"));
            }
        }
        return Optional.empty();
    }

    /**
     * Agroal's answer when no connection frees up within {@code acquisition-timeout}: a plain SQLException without
     * SQLState or error code (Hibernate wraps it), so its message is all there is to recognise it by.
     */
    static boolean connectionPoolExhausted(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof java.sql.SQLException && c.getMessage() != null
                    && c.getMessage().contains("acquisition timeout")) {
                return true;
            }
        }
        return false;
    }
}
