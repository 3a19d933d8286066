package org.cam.discovery.udp;

import static org.cam.discovery.support.Auth.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Arrays;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.cam.discovery.device.DeviceRegistry;
import org.cam.discovery.support.FakeFleet;
import org.cam.discovery.support.Metrics;
import org.cam.discovery.support.SimulatorProcess;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.cam.protocol.discovery.SiteKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With a site key: only correctly signed datagrams count, and our DISCOVERs are signed. */
@QuarkusTest
@TestProfile(HmacTest.Keyed.class)
class HmacTest {

    static final byte[] KEY = filled(32, 7);
    static final byte[] OTHER_KEY = filled(32, 8);

    public static class Keyed implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cam.discovery.site-key", Base64.getEncoder().encodeToString(KEY));
        }
    }

    @Inject
    UdpEndpoint endpoint;

    @Inject
    DeviceRegistry registry;

    @Inject
    MeterRegistry meters;

    @BeforeEach
    void clean() {
        await().until(endpoint::isBound);
        registry.clear();
    }

    @Test
    void onlySignedAnnouncementsWithTheSiteKeyAreAccepted() throws Exception {
        try (FakeFleet fleet = new FakeFleet(DiscoveryCodec.signed(SiteKey.of(KEY)))) {
            var good = fleet.add(FakeFleet.info(400, "127.0.2.200", "1.0.0", 1), "127.0.2.200", 0, false, 0);
            var unsigned = fleet.add(FakeFleet.info(401, "127.0.2.201", "1.0.0", 1), "127.0.2.201", 0, false, 0);
            unsigned.useCodec(DiscoveryCodec.unsigned());
            var wrongKey = fleet.add(FakeFleet.info(402, "127.0.2.202", "1.0.0", 1), "127.0.2.202", 0, false, 0);
            wrongKey.useCodec(DiscoveryCodec.signed(SiteKey.of(OTHER_KEY)));
            double missing = Metrics.counter(meters, "cam.discovery.datagrams.rejected", "reason", "missing_signature");
            double bad = Metrics.counter(meters, "cam.discovery.datagrams.rejected", "reason", "bad_signature");

            unsigned.announceTo("127.0.0.1", endpoint.localPort());
            wrongKey.announceTo("127.0.0.1", endpoint.localPort());
            good.announceTo("127.0.0.1", endpoint.localPort());

            await().untilAsserted(() -> {
                assertThat(Metrics.counter(meters, "cam.discovery.datagrams.rejected", "reason", "missing_signature"))
                        .isEqualTo(missing + 1);
                assertThat(Metrics.counter(meters, "cam.discovery.datagrams.rejected", "reason", "bad_signature"))
                        .isEqualTo(bad + 1);
                assertThat(registry.find(good.id())).isPresent();
            });
            assertThat(registry.all()).hasSize(1);
        }
    }

    @Test
    void scanIsSignedAndOnlyKeyedDevicesGetThrough() throws Exception {
        try (FakeFleet fleet = new FakeFleet(DiscoveryCodec.signed(SiteKey.of(KEY)))) {
            var keyed = fleet.add(FakeFleet.info(410, "127.0.2.209", "1.0.0", 1), "127.0.2.209", 23080, true, 0);
            // Without a key a device reads the signed DISCOVER (unchecked) but answers unsigned: rejected.
            var keyless = fleet.add(FakeFleet.info(411, "127.0.2.210", "1.0.0", 1), "127.0.2.210", 23080, true, 0);
            keyless.useCodec(DiscoveryCodec.unsigned());
            // With another key the device refuses our DISCOVER: it never answers.
            var foreign = fleet.add(FakeFleet.info(412, "127.0.2.211", "1.0.0", 1), "127.0.2.211", 23080, true, 0);
            foreign.useCodec(DiscoveryCodec.signed(SiteKey.of(OTHER_KEY)));

            String id = given().contentType(ContentType.JSON)
                    .body("{\"cidr\":\"127.0.2.208/29\",\"port\":23080,\"timeoutMs\":1000}")
                    .post("/api/v1/scans").then().statusCode(202).extract().path("id");
            await().atMost(Duration.ofSeconds(10)).until(() -> "COMPLETED".equals(
                    given().get("/api/v1/scans/" + id).then().extract().path("status")));
            given().get("/api/v1/scans/" + id).then().body("responderCount", equalTo(1))
                    .body("responders[0].deviceId", equalTo(keyed.id()));
            assertThat(keyless.discoversSeen()).isEqualTo(1);
            assertThat(foreign.discoversSeen()).isZero();
            assertThat(registry.all()).extracting(d -> d.deviceId()).containsExactly(keyed.id());
        }
    }

    @Test
    void simulatorDevicesWithTheSiteKeyAreHeardAndOnesWithoutAreNot() throws Exception {
        String manager = "127.0.0.1:" + endpoint.localPort();
        Path logs = Path.of(System.getProperty("cam.test.log.dir", "target/test-logs"));
        double missing = Metrics.counter(meters, "cam.discovery.datagrams.rejected", "reason", "missing_signature");
        try (SimulatorProcess keyed = SimulatorProcess.start(List.of(), logs.resolve("hmac-keyed.log"),
                "--count", "2", "--first-address", "127.0.2.216", "--discovery", "manual", "--manager", manager,
                "--discovery-port", "23080", "--fallback-port", "23081", "--seed", "216",
                "--site-key", Base64.getEncoder().encodeToString(KEY));
             SimulatorProcess keyless = SimulatorProcess.start(List.of(), logs.resolve("hmac-keyless.log"),
                "--count", "1", "--first-address", "127.0.2.220", "--discovery", "manual", "--manager", manager,
                "--discovery-port", "23080", "--fallback-port", "23081", "--seed", "220")) {
            List<String> keyedIds = keyed.awaitReady(Duration.ofSeconds(60));
            List<String> keylessIds = keyless.awaitReady(Duration.ofSeconds(60));
            // Both announce at boot (manual mode, to us): only the signed ANNOUNCEs count.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                keyedIds.forEach(id -> assertThat(registry.find(id)).isPresent());
                assertThat(Metrics.counter(meters, "cam.discovery.datagrams.rejected", "reason", "missing_signature"))
                        .isGreaterThanOrEqualTo(missing + 1);
            });
            assertThat(registry.find(keylessIds.get(0))).isEmpty();
        }
    }

    private static byte[] filled(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

}
