package org.cam.management.health;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.cam.management.datasource.PrimaryFailover;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Which database node management-api writes to (through the router: HAProxy or the primary Service), and whether
 * it takes writes. Always UP: a read-only interval during a switchover must not take the UI out of the load
 * balancer, since reads still work and writes answer 503 with Retry-After; whether the database answers at all is
 * the datasource's own readiness check.
 */
@Readiness
@ApplicationScoped
public class DatabaseWriteTarget implements HealthCheck {
    @Inject
    AgroalDataSource dataSource;

    @Inject
    PrimaryFailover failover;

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("database-writes").up().withData("poolFlushes", failover.flushes());
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT @@hostname, @@port, @@server_id, @@read_only")) {
            rs.next();
            return b.withData("writesTo", rs.getString(1) + ":" + rs.getInt(2))
                    .withData("serverId", rs.getLong(3))
                    .withData("readOnly", rs.getInt(4) != 0)
                    .build();
        } catch (Exception e) {
            return b.withData("writesTo", "unknown").withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
