package org.cam.discovery.health;

import static org.cam.discovery.support.Auth.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.time.Duration;
import java.util.Map;
import io.micrometer.core.instrument.MeterRegistry;
import org.cam.discovery.device.DeviceRegistry;
import org.cam.discovery.support.FakeFleet;
import org.cam.discovery.support.Metrics;
import org.cam.discovery.udp.UdpEndpoint;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** Readiness follows the UDP socket: DOWN while the port is taken by someone else, UP once the bind succeeds. */
@QuarkusTest
@TestProfile(ReadinessTest.PortTaken.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReadinessTest {

    /**
     * A socket without SO_REUSEADDR holds the port before Quarkus starts. It lives in the system properties
     * because Quarkus may load this class in more than one class loader, and the test must close the same one.
     */
    static DatagramSocket blocker() {
        return (DatagramSocket) System.getProperties().computeIfAbsent("cam.test.udp-blocker", k -> {
            try {
                return new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            } catch (SocketException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    public static class PortTaken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cam.discovery.udp.port", Integer.toString(blocker().getLocalPort()),
                    "cam.discovery.udp.bind-retry", "200ms",
                    // Also this profile's small registry bound, for registryBoundRejectsNewDevices.
                    "cam.discovery.max-devices", "2");
        }
    }

    @Inject
    UdpEndpoint endpoint;

    @Inject
    DeviceRegistry registry;

    @Inject
    MeterRegistry meters;

    @Test
    @Order(1) // must see the port still taken
    void notReadyUntilTheUdpSocketIsBound() {
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'discovery-udp' }.status", equalTo("DOWN"));
        given().contentType(ContentType.JSON).body("{\"cidr\":\"127.0.2.0/30\"}").post("/api/v1/scans")
                .then().statusCode(503).contentType("application/problem+json");
        given().get("/q/health/live").then().statusCode(200);

        int port = blocker().getLocalPort();
        blocker().close();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                given().get("/q/health/ready").then().statusCode(200)
                        .body("checks.find { it.name == 'discovery-udp' }.data.port", equalTo(port)));
        await().until(() -> endpoint.localPort() == port);
    }

    @Test
    @Order(2)
    void registryBoundRejectsNewDevicesButKeepsServingKnownOnes() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(endpoint::isBound);
        registry.clear();
        double full = Metrics.counter(meters, "cam.discovery.datagrams.rejected", "reason", "registry_full");
        try (FakeFleet fleet = new FakeFleet(DiscoveryCodec.unsigned())) {
            var a = fleet.add(FakeFleet.info(700, "127.0.2.230", "1.0.0", 1), "127.0.2.230", 0, false, 0);
            var b = fleet.add(FakeFleet.info(701, "127.0.2.231", "1.0.0", 1), "127.0.2.231", 0, false, 0);
            var c = fleet.add(FakeFleet.info(702, "127.0.2.232", "1.0.0", 1), "127.0.2.232", 0, false, 0);
            a.announceTo("127.0.0.1", endpoint.localPort());
            b.announceTo("127.0.0.1", endpoint.localPort());
            await().until(() -> registry.size() == 2);
            c.announceTo("127.0.0.1", endpoint.localPort());
            await().until(() -> Metrics.counter(meters, "cam.discovery.datagrams.rejected", "reason", "registry_full")
                    == full + 1);
            a.update(FakeFleet.info(700, "127.0.2.230", "2.0.0", 2));
            a.announceTo("127.0.0.1", endpoint.localPort());
            await().untilAsserted(() -> assertThat(registry.find(a.id()).orElseThrow().firmwareVersion())
                    .isEqualTo("2.0.0"));
            assertThat(registry.find(c.id())).isEmpty();
        }
    }
}
