package org.cam.management.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Overload of the connection pool is a 503 with Retry-After, not a 500: the mapper must recognise the exception
 * Agroal really throws when every connection stays busy past the acquisition timeout (a pool of one, held, against
 * the test database), and nothing else.
 */
class PoolExhaustionTest {

    @Test
    void recognisesAgroalsAcquisitionTimeout() throws SQLException {
        String url = "jdbc:mysql://" + env("CAM_DB_PRIMARY_HOST", "127.0.0.1") + ":"
                + env("CAM_DB_PRIMARY_PORT", "13306") + "/";
        try (AgroalDataSource pool = AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(cp -> cp.maxSize(1).acquisitionTimeout(Duration.ofMillis(200))
                        .connectionFactoryConfiguration(cf -> cf.jdbcUrl(url)
                                .principal(new NamePrincipal(env("CAM_DB_USER", "cam")))
                                .credential(new SimplePassword(env("CAM_DB_PASSWORD", "cam"))))));
             Connection held = pool.getConnection()) {
            assertThat(held.isValid(2)).isTrue();
            Throwable busy = catchThrowable(pool::getConnection);
            assertThat(busy).isInstanceOf(SQLException.class);
            assertThat(DatabaseProblems.connectionPoolExhausted(new RuntimeException("wrapped", busy))).isTrue();
        }
        assertThat(DatabaseProblems.connectionPoolExhausted(new SQLException("Duplicate entry", "23000", 1062))).isFalse();
        assertThat(DatabaseProblems.connectionPoolExhausted(new IllegalStateException("x"))).isFalse();
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
