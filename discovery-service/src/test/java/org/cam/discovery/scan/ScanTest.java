package org.cam.discovery.scan;

import static org.cam.discovery.support.Auth.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.cam.discovery.device.DeviceRegistry;
import org.cam.discovery.device.HeardVia;
import org.cam.discovery.support.FakeFleet;
import org.cam.discovery.udp.UdpEndpoint;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Scans over real UDP against devices on 127.0.2.x. The test profile maps the device port to 23080 and the
 * fallback port to 23081 (3080/3081 stay free for other test suites on this machine).
 */
@QuarkusTest
class ScanTest {

    static final int DEVICE_PORT = 23080;
    static final int FALLBACK_PORT = 23081;
    static FakeFleet fleet;
    /** 127.0.2.97..106: listen on both ports. */
    static final List<FakeFleet.Device> normal = new ArrayList<>();
    /** 127.0.2.113..117: their 23080 listener is off; they only hear the fallback port. */
    static final List<FakeFleet.Device> deaf = new ArrayList<>();

    @Inject
    UdpEndpoint endpoint;

    @Inject
    DeviceRegistry registry;

    @BeforeAll
    static void startFleet() throws Exception {
        fleet = new FakeFleet(DiscoveryCodec.unsigned());
        for (int i = 0; i < 10; i++) {
            String a = "127.0.2." + (97 + i);
            normal.add(fleet.add(FakeFleet.info(100 + i, a, "1.0.0", 1), a, DEVICE_PORT, true, FALLBACK_PORT));
        }
        for (int i = 0; i < 5; i++) {
            String a = "127.0.2." + (113 + i);
            deaf.add(fleet.add(FakeFleet.info(200 + i, a, "1.0.0", 1), a, DEVICE_PORT, false, FALLBACK_PORT));
        }
    }

    @AfterAll
    static void stopFleet() throws Exception {
        fleet.close();
    }

    @BeforeEach
    void clean() {
        await().until(endpoint::isBound);
        registry.clear();
    }

    private JsonPath runScan(String body) {
        String id = given().contentType(ContentType.JSON).body(body).post("/api/v1/scans")
                .then().statusCode(202).header("Location", notNullValue()).body("status", equalTo("RUNNING"))
                .extract().path("id");
        await().atMost(Duration.ofSeconds(20)).until(() -> "COMPLETED".equals(
                given().get("/api/v1/scans/" + id).then().statusCode(200).extract().path("status")));
        return given().get("/api/v1/scans/" + id).then().extract().jsonPath();
    }

    private static Map<String, Integer> probedPortById(JsonPath scan) {
        List<Map<String, Object>> rs = scan.getList("responders");
        return rs.stream().collect(Collectors.toMap(r -> (String) r.get("deviceId"), r -> (Integer) r.get("probedPort")));
    }

    @Test
    void unicastSweepOnTheDevicePortFindsTheListeningDevices() {
        JsonPath scan = runScan("{\"cidr\":\"127.0.2.96/28\",\"port\":\"23080\",\"timeoutMs\":1000}");
        Map<String, Integer> got = probedPortById(scan);
        assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(normal.stream().map(FakeFleet.Device::id).toList());
        assertThat(got.values()).containsOnly(DEVICE_PORT);
        // 127.0.2.97..110: the /28 without its network and broadcast addresses.
        assertThat(scan.getLong("planned")).isEqualTo(14);
        assertThat(scan.getLong("sent")).isEqualTo(14);
        assertThat(scan.getLong("durationMs")).isNotNull();
        assertThat(registry.find(normal.get(0).id()))
                .hasValueSatisfying(d -> assertThat(d.heardVia()).isEqualTo(HeardVia.SCAN_REPLY));
    }

    @Test
    void fallbackPortReachesDevicesWhoseDevicePortIsOffAndTheyAnswerOnTheAnswerPort() {
        JsonPath scan = runScan("{\"cidr\":\"127.0.2.112/29\",\"port\":23081,\"timeoutMs\":1000}");
        Map<String, Integer> got = probedPortById(scan);
        assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(deaf.stream().map(FakeFleet.Device::id).toList());
        assertThat(got.values()).containsOnly(FALLBACK_PORT);
        // The DISCOVER left from (and REPLY came back to) the one answer socket, not the fallback port.
        assertThat(registry.find(deaf.get(0).id())).isPresent();
    }

    @Test
    void autoTriesTheDevicePortThenTheFallbackForWhoDidNotAnswer() {
        long normalBefore = normal.get(0).discoversSeen();
        JsonPath scan = runScan("{\"cidr\":\"127.0.2.96/27\",\"port\":\"auto\",\"timeoutMs\":1000}");
        Map<String, Integer> got = probedPortById(scan);
        assertThat(got).hasSize(15);
        normal.forEach(d -> assertThat(got).containsEntry(d.id(), DEVICE_PORT));
        deaf.forEach(d -> assertThat(got).containsEntry(d.id(), FALLBACK_PORT));
        // Devices that answered the first phase were not asked again.
        assertThat(normal.get(0).discoversSeen()).isEqualTo(normalBefore + 1);
        // 30 hosts on 23080, then the 20 that stayed silent (30 - 10 answering) on 23081.
        assertThat(scan.getLong("planned")).isEqualTo(30 + 20);
        given().get("/api/v1/discoveries").then().body("size()", equalTo(15));
    }

    @Test
    void badScanRequestsNameTheField() {
        expect400("{\"cidr\":\"10.0.0.0/8\"}", "cidr");
        expect400("{\"cidr\":\"10.0.0/24\"}", "cidr");
        expect400("{\"broadcast\":[\"255.255.255.255\",\"host.example\"]}", "broadcast[1]");
        expect400("{\"cidr\":\"127.0.2.0/30\",\"port\":\"3082x\"}", "port");
        expect400("{\"cidr\":\"127.0.2.0/30\",\"port\":70000}", "port");
        expect400("{\"cidr\":\"127.0.2.0/30\",\"timeoutMs\":0}", "timeoutMs");
        expect400("{\"cidr\":\"127.0.2.0/30\",\"timeoutMs\":\"soon\"}", "timeoutMs");
        expect400("{}", "broadcast");
        given().contentType(ContentType.JSON).body("{\"cidr\":").post("/api/v1/scans").then().statusCode(400)
                .contentType("application/problem+json").body("type", equalTo("https://cam.test/problems/bad-request"));
        given().get("/api/v1/scans/no-such-scan").then().statusCode(404).contentType("application/problem+json")
                .body("type", equalTo("https://cam.test/problems/not-found")).body("title", equalTo("Not Found"));
        given().delete("/api/v1/scans").then().statusCode(405).contentType("application/problem+json")
                .body("type", equalTo("https://cam.test/problems/method-not-allowed"));
    }

    private static void expect400(String body, String field) {
        given().contentType(ContentType.JSON).body(body).post("/api/v1/scans").then().statusCode(400)
                .contentType("application/problem+json").body("field", equalTo(field))
                .body("type", equalTo("https://cam.test/problems/bad-request"));
    }
}
