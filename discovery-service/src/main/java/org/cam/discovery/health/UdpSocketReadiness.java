package org.cam.discovery.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.discovery.udp.UdpEndpoint;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while the discovery UDP socket is bound: without it the service hears nothing. */
@Readiness
@ApplicationScoped
public class UdpSocketReadiness implements HealthCheck {

    @Inject
    UdpEndpoint endpoint;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("discovery-udp")
                .status(endpoint.isBound())
                .withData("port", endpoint.localPort())
                .build();
    }
}
