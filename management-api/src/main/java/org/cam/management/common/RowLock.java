package org.cam.management.common;

import jakarta.persistence.EntityManager;

/**
 * {@code SELECT ... FOR UPDATE} by plain SQL. Hibernate's MySQL dialect writes {@code FOR UPDATE OF <alias>},
 * which MySQL 8 accepts and MariaDB (tests, demo) does not; this form works on both. Call inside a transaction,
 * before loading the entity.
 */
public final class RowLock {
    private RowLock() {
    }

    /** Locks the rows of {@code table} whose {@code column} equals {@code value}; true when there was one. */
    public static boolean lock(EntityManager em, String table, String column, Object value) {
        return !em.createNativeQuery("SELECT 1 FROM " + table + " WHERE " + column + " = ?1 FOR UPDATE")
                .setParameter(1, value).getResultList().isEmpty();
    }
}
