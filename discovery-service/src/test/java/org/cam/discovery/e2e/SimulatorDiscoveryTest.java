package org.cam.discovery.e2e;

import static org.cam.discovery.support.Auth.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.cam.discovery.device.DeviceRegistry;
import org.cam.discovery.device.HeardVia;
import org.cam.discovery.support.SimulatorProcess;
import org.cam.discovery.udp.UdpEndpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The device-simulator (as its own process, on 127.0.2.x, discovery ports 23080/23081) against the service:
 * manual-mode announce, unicast sweep, and the fallback port for devices whose primary listener is off.
 */
@QuarkusTest
class SimulatorDiscoveryTest {

    static SimulatorProcess normal;
    static SimulatorProcess deaf;
    static List<String> normalIds;
    static List<String> deafIds;

    @Inject
    UdpEndpoint endpoint;

    @Inject
    DeviceRegistry registry;

    @BeforeEach
    void fleets() throws Exception {
        await().until(endpoint::isBound);
        if (normal == null) {
            registry.clear();
            String manager = "127.0.0.1:" + endpoint.localPort();
            Path logs = Path.of(System.getProperty("cam.test.log.dir", "target/test-logs"));
            normal = SimulatorProcess.start(List.of(), logs.resolve("normal.log"), "--count", "3",
                    "--first-address", "127.0.2.60", "--discovery", "manual", "--manager", manager,
                    "--discovery-port", "23080", "--fallback-port", "23081", "--seed", "60");
            deaf = SimulatorProcess.start(List.of(), logs.resolve("deaf.log"), "--count", "2",
                    "--first-address", "127.0.2.70", "--discovery", "manual", "--manager", manager,
                    "--discovery-port", "23080", "--fallback-port", "23081", "--listen-primary", "false",
                    "--seed", "70");
            normalIds = normal.awaitReady(Duration.ofSeconds(60));
            deafIds = deaf.awaitReady(Duration.ofSeconds(60));
            assertThat(normalIds).hasSize(3);
            assertThat(deafIds).hasSize(2);
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (normal != null) {
            normal.close();
        }
        if (deaf != null) {
            deaf.close();
        }
    }

    @Test
    void manualModeDevicesAnnounceByUnicastAtBoot() {
        // Booted against our port: each announced once, by unicast (the ANNOUNCE carries the manual-mode flag).
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String id : normalIds) {
                given().get("/api/v1/discoveries/" + id).then().statusCode(200);
            }
        });
        // The simulator prints devices in the order they become ready, so match addresses as a set.
        List<String> addresses = normalIds.stream().map(id -> {
            JsonPath d = given().get("/api/v1/discoveries/" + id).then().extract().jsonPath();
            assertThat(d.getString("sourceAddress")).isEqualTo(d.getString("address"));
            return d.getString("address");
        }).toList();
        assertThat(addresses).containsExactlyInAnyOrder("127.0.2.60", "127.0.2.61", "127.0.2.62");
        assertThat(registry.all().stream().filter(d -> normalIds.contains(d.deviceId())))
                .allSatisfy(d -> assertThat(d.heardVia()).isIn(HeardVia.UNICAST_ANNOUNCE, HeardVia.SCAN_REPLY));
    }

    @Test
    void autoScanSweepsThenFallsBackForDevicesWithThePrimaryListenerOff() {
        String id = given().contentType(ContentType.JSON)
                .body("{\"cidr\":\"127.0.2.0/25\",\"port\":\"auto\",\"timeoutMs\":1500}")
                .post("/api/v1/scans").then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofSeconds(20)).until(() -> "COMPLETED".equals(
                given().get("/api/v1/scans/" + id).then().extract().path("status")));
        JsonPath scan = given().get("/api/v1/scans/" + id).then().extract().jsonPath();
        List<Map<String, Object>> rs = scan.getList("responders");
        Map<String, Integer> port = rs.stream().collect(Collectors.toMap(
                r -> (String) r.get("deviceId"), r -> (Integer) r.get("probedPort")));
        assertThat(port).hasSize(5);
        normalIds.forEach(d -> assertThat(port).containsEntry(d, 23080));
        // Their 23080 listener is off: only the 23081 DISCOVER reached them, and they answered to our port.
        deafIds.forEach(d -> assertThat(port).containsEntry(d, 23081));
        assertThat(registry.find(deafIds.get(0)))
                .hasValueSatisfying(d -> assertThat(d.heardVia()).isEqualTo(HeardVia.SCAN_REPLY));
    }
}
