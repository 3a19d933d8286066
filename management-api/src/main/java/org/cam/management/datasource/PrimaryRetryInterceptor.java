package org.cam.management.datasource;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.interceptor.AroundInvoke;
import jakarta.interceptor.Interceptor;
import jakarta.interceptor.InvocationContext;
import jakarta.transaction.Status;
import jakarta.transaction.SystemException;
import jakarta.transaction.TransactionManager;
import jakarta.transaction.Transactional;
import org.jboss.logging.Logger;

/**
 * Around every {@code @Transactional} (REQUIRED) method, outside the transaction interceptor: when the whole
 * transaction failed because the node stopped being the primary, the pool is flushed and the transaction is run
 * again, once, if repeating it cannot write twice (the node refused the write as read-only, or the connection broke
 * before the commit). Otherwise, or when the repeat fails the same way, a 503 with Retry-After. Only the outermost
 * call repeats: an inner one joins the transaction that is already running and cannot be repeated alone.
 *
 * <p>Work with effects outside the database (a device call, an LDAP write) inside such a transaction is repeated
 * with it; keep such calls outside transactions, as the services do.
 */
@Transactional
@Interceptor
@Priority(Interceptor.Priority.PLATFORM_BEFORE + 199)   // Narayana's transaction interceptors are at + 200
public class PrimaryRetryInterceptor {
    private static final Logger LOG = Logger.getLogger(PrimaryRetryInterceptor.class);

    @Inject
    TransactionManager transactions;

    @Inject
    PrimaryFailover failover;

    @AroundInvoke
    Object aroundTransaction(InvocationContext ctx) throws Exception {
        if (inTransaction()) {
            return ctx.proceed();
        }
        try {
            return ctx.proceed();
        } catch (Exception e) {   // a failed commit is Narayana's checked RollbackException
            PrimaryLoss loss = PrimaryLoss.of(e);
            if (loss == PrimaryLoss.NONE) {
                throw e;
            }
            failover.evictStaleConnections(loss);
            if (!loss.safeToRepeat()) {
                throw PrimaryFailover.unavailable(loss);
            }
            LOG.debugf("%s.%s: %s, repeating once", ctx.getMethod().getDeclaringClass().getSimpleName(),
                    ctx.getMethod().getName(), loss);
            failover.pauseBeforeRepeat();
            try {
                return ctx.proceed();
            } catch (Exception again) {
                PrimaryLoss second = PrimaryLoss.of(again);
                if (second == PrimaryLoss.NONE) {
                    throw again;
                }
                failover.evictStaleConnections(second);
                throw PrimaryFailover.unavailable(second);
            }
        }
    }

    private boolean inTransaction() throws SystemException {
        return transactions.getStatus() != Status.STATUS_NO_TRANSACTION;
    }
}
