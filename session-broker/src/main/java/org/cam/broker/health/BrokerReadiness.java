package org.cam.broker.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.cam.broker.listener.Listeners;
import org.cam.broker.session.BrokerService;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the listeners are bound, the broker is not draining, and management-api answered a heartbeat. */
@Readiness
@ApplicationScoped
public class BrokerReadiness implements HealthCheck {

    private final Listeners listeners;
    private final BrokerService service;

    public BrokerReadiness(Listeners listeners, BrokerService service) {
        this.listeners = listeners;
        this.service = service;
    }

    @Override
    public HealthCheckResponse call() {
        boolean accepting = listeners.accepting();
        boolean draining = service.draining();
        boolean upstream = service.managementAnswers();
        return HealthCheckResponse.named("session-broker").status(accepting && !draining && upstream)
                .withData("listeners", accepting).withData("draining", draining)
                .withData("managementApi", upstream).withData("activeSessions", service.activeCount()).build();
    }
}
