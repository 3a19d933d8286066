package org.cam.management.datasource;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.cam.management.common.ApiException;
import org.jboss.logging.Logger;

/**
 * What management-api does when the database under it stops being the primary (switchover, failover): evict the
 * pool's connections to it, repeat the work once when that cannot write twice, and otherwise answer 503 with
 * Retry-After so the client comes back when the router (HAProxy, or the Kubernetes primary Service) points at the
 * new primary. Never a 500 for a topology change.
 */
@ApplicationScoped
public class PrimaryFailover {
    private static final Logger LOG = Logger.getLogger(PrimaryFailover.class);
    /** Seconds a client should wait before it repeats a write refused during a switch. */
    public static final int RETRY_AFTER_SECONDS = 2;
    /**
     * The pause before the one repeat: the router moves within a quarter of a second of the monitor's decision
     * (HAProxy's agent interval), so an immediate repeat would mostly meet the same node. Jittered so the waiting
     * requests do not all arrive at the new primary at once.
     */
    static final long MIN_PAUSE_MS = 300;
    static final long MAX_PAUSE_MS = 700;

    @Inject
    AgroalDataSource dataSource;

    private final AtomicLong flushes = new AtomicLong();

    /**
     * Evicts the pooled connections: idle ones at once, busy ones when they are returned. They all lead to a node
     * that refused a write or dropped a connection, and Agroal would otherwise hand them out again.
     */
    public void evictStaleConnections(PrimaryLoss loss) {
        flushes.incrementAndGet();
        dataSource.flush(AgroalDataSource.FlushMode.GRACEFUL);
        LOG.infof("database primary lost (%s): pooled connections evicted", loss);
    }

    public long flushes() {
        return flushes.get();
    }

    void pauseBeforeRepeat() {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(MIN_PAUSE_MS, MAX_PAUSE_MS + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public static ApiException unavailable(PrimaryLoss loss) {
        String detail = switch (loss) {
            case READ_ONLY -> "the database is read-only while its primary changes; retry shortly";
            case COMMIT_OUTCOME_UNKNOWN -> "the database connection was lost while the change was committed; it may "
                    + "or may not have been saved: check before you retry";
            default -> "no database primary is reachable right now; retry shortly";
        };
        return ApiException.unavailable(detail, RETRY_AFTER_SECONDS);
    }
}
