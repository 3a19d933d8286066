package org.cam.management.common;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The application's transactions against the real MariaDB: their isolation level, and a real InnoDB deadlock
 * between two transactions that lock two rows in opposite order, which {@link Transactions} must repeat until both
 * have done their work.
 */
@QuarkusTest
class TransactionsTest {

    @Inject
    EntityManager em;

    @BeforeEach
    void probeRows() {
        // DDL commits implicitly in MySQL, so it runs outside the transactions under test.
        QuarkusTransaction.requiringNew().run(() -> {
            em.createNativeQuery("CREATE TABLE IF NOT EXISTS tx_probe (id INT PRIMARY KEY, n INT NOT NULL)")
                    .executeUpdate();
            em.createNativeQuery("DELETE FROM tx_probe").executeUpdate();
            em.createNativeQuery("INSERT INTO tx_probe VALUES (1, 0), (2, 0)").executeUpdate();
        });
    }

    @Test
    void applicationTransactionsRunAtReadCommitted() {
        String level = QuarkusTransaction.requiringNew().call(() -> (String) em
                .createNativeQuery("SELECT @@SESSION.tx_isolation").getSingleResult());
        assertThat(level).isEqualTo("READ-COMMITTED");
    }

    @Test
    void deadlockVictimsAreRepeatedUntilBothTransactionsCommit() throws Exception {
        int[] counts = crossedUpdates(Transactions.ATTEMPTS);
        assertThat(counts).as("each of the two transactions added 1 to both rows").containsExactly(2, 2);
    }

    @Test
    void withoutRepeatsOneOfTheCrossedTransactionsFails() {
        assertThatThrownBy(() -> crossedUpdates(1)).hasRootCauseInstanceOf(java.sql.SQLException.class)
                .satisfies(e -> assertThat(Transactions.isConflict(e)).isTrue());
    }

    /**
     * Two transactions: one updates row 1 then row 2, the other row 2 then row 1, each taking its second lock only
     * once the other holds its first, so InnoDB must pick a victim. Returns the rows' counts afterwards.
     */
    private int[] crossedUpdates(int attempts) throws Exception {
        CountDownLatch firstLocks = new CountDownLatch(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> a = pool.submit(() -> Transactions.retryingConflicts("probe 1-2", attempts, () -> lockBoth(1, 2, firstLocks)));
            Future<?> b = pool.submit(() -> Transactions.retryingConflicts("probe 2-1", attempts, () -> lockBoth(2, 1, firstLocks)));
            try {
                a.get(60, TimeUnit.SECONDS);
                b.get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw (e.getCause() instanceof RuntimeException r) ? r : e;
            }
        } finally {
            pool.shutdownNow();
        }
        return QuarkusTransaction.requiringNew().call(() -> em
                .createNativeQuery("SELECT n FROM tx_probe ORDER BY id").getResultList().stream()
                .mapToInt(n -> ((Number) n).intValue()).toArray());
    }

    private Object lockBoth(int first, int second, CountDownLatch firstLocks) {
        em.createNativeQuery("UPDATE tx_probe SET n = n + 1 WHERE id = ?1").setParameter(1, first).executeUpdate();
        firstLocks.countDown();
        try {
            // On a repeat the latch is already open: the winner has committed by then, nothing is crossed.
            assertThat(firstLocks.await(30, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        em.createNativeQuery("UPDATE tx_probe SET n = n + 1 WHERE id = ?1").setParameter(1, second).executeUpdate();
        return null;
    }
}
