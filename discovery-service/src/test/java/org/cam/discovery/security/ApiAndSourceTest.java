package org.cam.discovery.security;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.util.Map;
import org.cam.discovery.device.DeviceRegistry;
import org.cam.discovery.support.Auth;
import org.cam.discovery.support.FakeFleet;
import org.cam.discovery.support.Metrics;
import org.cam.discovery.udp.UdpEndpoint;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API needs the service token; a datagram whose source is not the address it advertises is dropped and
 * counted (real UDP on 127.0.88.x, an address range no other test uses).
 */
@QuarkusTest
class ApiAndSourceTest {

    @Inject
    UdpEndpoint endpoint;

    @Inject
    DeviceRegistry registry;

    @Inject
    MeterRegistry meters;

    @Test
    void theApiNeedsTheServiceToken() {
        given().get("/api/v1/discoveries").then().statusCode(401);
        given().get("/api/v1/scans").then().statusCode(401);
        given().contentType("application/json").body(Map.of("cidr", "127.0.88.0/30")).post("/api/v1/scans").then()
                .statusCode(401);
        given().auth().oauth2("not-the-token").get("/api/v1/discoveries").then().statusCode(401);
        given().auth().preemptive().basic("admin", Auth.TOKEN).get("/api/v1/discoveries").then().statusCode(401);
        Auth.given().get("/api/v1/discoveries").then().statusCode(200);
        // probes and Prometheus stay open
        given().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void aDatagramFromAnotherAddressThanTheAdvertisedOneIsDropped() throws Exception {
        await().until(endpoint::isBound);
        double before = Metrics.counter(meters, "cam.discovery.datagrams.rejected", "reason", "source_mismatch");
        try (FakeFleet fleet = new FakeFleet(DiscoveryCodec.unsigned())) {
            // sent from 127.0.88.1, claiming to be 127.0.88.2
            var spoof = fleet.add(FakeFleet.info(8801, "127.0.88.2", "1.0.0", 1), "127.0.88.1", 0, false, 0);
            var honest = fleet.add(FakeFleet.info(8802, "127.0.88.3", "1.0.0", 1), "127.0.88.3", 0, false, 0);
            spoof.announceTo("127.0.0.1", endpoint.localPort());
            honest.announceTo("127.0.0.1", endpoint.localPort());
            await().until(() -> registry.find(honest.id()).isPresent());
            await().until(() -> Metrics.counter(meters, "cam.discovery.datagrams.rejected", "reason",
                    "source_mismatch") - before >= 1);
            assertThat(registry.find(spoof.id())).isEmpty();
        }
    }
}
