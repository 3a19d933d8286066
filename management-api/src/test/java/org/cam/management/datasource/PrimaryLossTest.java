package org.cam.management.datasource;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.persistence.PersistenceException;
import jakarta.transaction.HeuristicMixedException;
import jakarta.transaction.RollbackException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import javax.transaction.xa.XAException;
import org.junit.jupiter.api.Test;

/** What the driver and Hibernate throw in a switch, classified; the texts are MariaDB 10.11's. */
class PrimaryLossTest {

    private static RuntimeException wrapped(Throwable root) {
        return new PersistenceException("could not execute statement", root);
    }

    @Test
    void readOnlyRefusalsCanBeRepeated() {
        var mariadb = new SQLException("The MariaDB server is running with the --read-only option so it cannot "
                + "execute this statement", "HY000", 1290);
        var mysql = new SQLException("Running in read-only mode", "HY000", 1836);
        assertThat(PrimaryLoss.of(wrapped(mariadb))).isEqualTo(PrimaryLoss.READ_ONLY);
        assertThat(PrimaryLoss.of(wrapped(mysql))).isEqualTo(PrimaryLoss.READ_ONLY);
        assertThat(PrimaryLoss.READ_ONLY.safeToRepeat()).isTrue();
    }

    @Test
    void aConnectionLostBeforeTheCommitCanBeRepeatedOneLostInTheCommitCannot() {
        var lost = new SQLNonTransientConnectionException("Communications link failure", "08S01", 0);
        assertThat(PrimaryLoss.of(wrapped(lost))).isEqualTo(PrimaryLoss.CONNECTION);
        // flush in beforeCompletion failed: the transaction was rolled back, nothing was committed
        RollbackException rolledBack = new RollbackException("rolled back");
        rolledBack.initCause(wrapped(lost));
        assertThat(PrimaryLoss.of(new IllegalStateException(rolledBack))).isEqualTo(PrimaryLoss.CONNECTION);
        HeuristicMixedException mixed = new HeuristicMixedException("commit failed");
        mixed.initCause(lost);
        assertThat(PrimaryLoss.of(new IllegalStateException(mixed))).isEqualTo(PrimaryLoss.COMMIT_OUTCOME_UNKNOWN);
        assertThat(PrimaryLoss.COMMIT_OUTCOME_UNKNOWN.safeToRepeat()).isFalse();
    }

    /** What Narayana throws when the COMMIT fails: the driver's error is suppressed under Agroal's XAException. */
    private static RollbackException failedCommit(SQLException driver) {
        RollbackException e = new RollbackException("ARJUNA016053: Could not commit transaction.");
        XAException xa = new XAException("Error trying to transactionCommit local transaction");
        xa.initCause(driver);
        e.addSuppressed(xa);
        return e;
    }

    @Test
    void aCommitRefusedAsReadOnlyCanBeRepeatedALostOneCannot() {
        assertThat(PrimaryLoss.of(failedCommit(new SQLException("The MariaDB server is running with the --read-only "
                + "option so it cannot execute this statement", "HY000", 1290)))).isEqualTo(PrimaryLoss.READ_ONLY);
        assertThat(PrimaryLoss.of(failedCommit(new SQLNonTransientConnectionException("Communications link failure",
                "08S01", 0)))).isEqualTo(PrimaryLoss.COMMIT_OUTCOME_UNKNOWN);
    }

    @Test
    void otherFailuresAreNotOurs() {
        assertThat(PrimaryLoss.of(wrapped(new SQLException("Duplicate entry", "23000", 1062))))
                .isEqualTo(PrimaryLoss.NONE);
        assertThat(PrimaryLoss.of(new IllegalArgumentException("x"))).isEqualTo(PrimaryLoss.NONE);
    }
}
