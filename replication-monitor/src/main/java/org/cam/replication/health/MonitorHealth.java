package org.cam.replication.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.replication.monitor.MonitorService;
import org.cam.replication.monitor.StatusView;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once the monitor has observed at least once: the status it serves is then real, whatever the state. */
@Readiness
@ApplicationScoped
public class MonitorHealth implements HealthCheck {

    @Inject
    MonitorService monitor;

    @Override
    public HealthCheckResponse call() {
        StatusView s = monitor.engine().status();
        var b = HealthCheckResponse.named("replication-monitor").status(s != null);
        if (s != null) {
            b.withData("state", s.state().name()).withData("observations", s.observations());
        }
        return b.build();
    }
}
