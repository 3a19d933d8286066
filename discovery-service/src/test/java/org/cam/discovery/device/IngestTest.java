package org.cam.discovery.device;

import static org.cam.discovery.support.Auth.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.hasItem;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import org.cam.discovery.support.FakeFleet;
import org.cam.discovery.support.Metrics;
import org.cam.discovery.udp.UdpEndpoint;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.cam.protocol.discovery.SiteKey;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real UDP on loopback, no site key: announcements reach the registry and the REST API. */
@QuarkusTest
class IngestTest {

    private static final String MGR = "127.0.0.1";
    static FakeFleet fleet;

    @Inject
    UdpEndpoint endpoint;

    @Inject
    DeviceRegistry registry;

    @Inject
    MeterRegistry meters;

    @BeforeAll
    static void startFleet() throws Exception {
        fleet = new FakeFleet(DiscoveryCodec.unsigned());
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

    @Test
    void unicastAnnounceIsRegisteredAndServed() throws Exception {
        var d = fleet.add(FakeFleet.info(1, "127.0.2.1", "1.0.0", 7), "127.0.2.1", 0, false, 0);
        d.announceTo(MGR, endpoint.localPort());

        await().untilAsserted(() -> assertThat(registry.find(d.id())).isPresent());
        DiscoveredDevice got = registry.find(d.id()).orElseThrow();
        assertThat(got.heardVia()).isEqualTo(HeardVia.UNICAST_ANNOUNCE);
        assertThat(got.sourceAddress()).isEqualTo("127.0.2.1");
        assertThat(got.bootCounter()).isEqualTo(7);

        given().get("/api/v1/discoveries/" + d.id().toUpperCase().replace(':', '-'))
                .then().statusCode(200)
                .body("deviceId", equalTo(d.id()))
                .body("model", equalTo("KVM-4"))
                .body("firmwareVersion", equalTo("1.0.0"))
                .body("heardVia", equalTo("UNICAST_ANNOUNCE"))
                .body("kvmPortFirst", equalTo(5900))
                .body("channelCount", equalTo(4))
                .body("certificateFingerprint", equalTo(d.info().certificateFingerprint().toString()))
                .body("stale", equalTo(false));
    }

    @Test
    void autoModeAnnounceIsRecordedAsBroadcast() throws Exception {
        var d = fleet.add(FakeFleet.info(2, "127.0.2.2", "1.0.0", 1), "127.0.2.2", 0, false, 0);
        // Loopback cannot broadcast; the ANNOUNCE's manual-mode flag (absent here) is what tells the modes apart.
        d.announceAuto(MGR, endpoint.localPort());
        await().untilAsserted(() -> assertThat(registry.find(d.id()))
                .hasValueSatisfying(x -> assertThat(x.heardVia()).isEqualTo(HeardVia.BROADCAST_ANNOUNCE)));
    }

    @Test
    void repeatsAreDeduplicatedAndChangesGetANewVersion() throws Exception {
        var d = fleet.add(FakeFleet.info(3, "127.0.2.3", "1.0.0", 1), "127.0.2.3", 0, false, 0);
        double acceptedBefore = Metrics.counter(meters, "cam.discovery.datagrams.accepted");
        for (int i = 0; i < 5; i++) {
            d.announceTo(MGR, endpoint.localPort());
        }
        await().until(() -> Metrics.counter(meters, "cam.discovery.datagrams.accepted") >= acceptedBefore + 5);
        assertThat(registry.all()).hasSize(1);
        long v1 = registry.find(d.id()).orElseThrow().version();

        d.update(FakeFleet.info(3, "127.0.2.3", "2.0.0", 2));
        d.announceTo(MGR, endpoint.localPort());
        await().untilAsserted(() -> assertThat(registry.find(d.id()).orElseThrow().firmwareVersion())
                .isEqualTo("2.0.0"));
        DiscoveredDevice after = registry.find(d.id()).orElseThrow();
        assertThat(after.version()).isGreaterThan(v1);
        assertThat(after.bootCounter()).isEqualTo(2);
        assertThat(registry.all()).hasSize(1);
    }

    @Test
    void withoutSiteKeySignedDatagramsAreAcceptedToo() throws Exception {
        var d = fleet.add(FakeFleet.info(4, "127.0.2.4", "1.0.0", 1), "127.0.2.4", 0, false, 0);
        d.useCodec(DiscoveryCodec.signed(SiteKey.of(new byte[32])));
        d.announceTo(MGR, endpoint.localPort());
        await().untilAsserted(() -> assertThat(registry.find(d.id())).isPresent());
    }

    @Test
    void filtersByModelSubnetAndStaleness() throws Exception {
        var a = fleet.add(FakeFleet.info(10, "127.0.2.10", "1.0.0", 1, "KVM-4"), "127.0.2.10", 0, false, 0);
        var b = fleet.add(FakeFleet.info(11, "127.0.2.11", "1.0.0", 1, "KVM-8"), "127.0.2.11", 0, false, 0);
        var c = fleet.add(FakeFleet.info(12, "127.0.2.40", "1.0.0", 1, "KVM-8"), "127.0.2.40", 0, false, 0);
        for (var d : new FakeFleet.Device[] {a, b, c}) {
            d.announceTo(MGR, endpoint.localPort());
        }
        await().until(() -> registry.size() == 3);

        given().queryParam("model", "KVM-8").get("/api/v1/discoveries").then().statusCode(200)
                .body("deviceId", hasItems(b.id(), c.id())).body("deviceId", not(hasItem(a.id())));
        given().queryParam("subnet", "127.0.2.0/28").get("/api/v1/discoveries").then().statusCode(200)
                .body("deviceId", hasItems(a.id(), b.id())).body("deviceId", not(hasItem(c.id())));
        given().queryParam("subnet", "127.0.2.0/28").queryParam("model", "KVM-8").get("/api/v1/discoveries")
                .then().body("size()", equalTo(1)).body("[0].deviceId", equalTo(b.id()));

        // cam.discovery.stale-after is 1s in tests: keep a fresh by announcing, let b and c fall silent.
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            a.announceTo(MGR, endpoint.localPort());
            given().queryParam("stale", "true").get("/api/v1/discoveries").then()
                    .body("deviceId", hasItems(b.id(), c.id())).body("deviceId", not(hasItem(a.id())));
        });
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            a.announceTo(MGR, endpoint.localPort());
            given().queryParam("stale", "false").get("/api/v1/discoveries").then()
                    .body("deviceId", hasItem(a.id())).body("deviceId", not(hasItem(b.id())));
        });
    }

    @Test
    void badQueriesAreProblemsNamingTheField() {
        given().queryParam("subnet", "10.0.0.0/33").get("/api/v1/discoveries").then().statusCode(400)
                .contentType("application/problem+json").body("field", equalTo("subnet"));
        given().queryParam("subnet", "example.org/24").get("/api/v1/discoveries").then().statusCode(400)
                .body("field", equalTo("subnet"));
        given().queryParam("stale", "maybe").get("/api/v1/discoveries").then().statusCode(400)
                .body("field", equalTo("stale"));
        given().get("/api/v1/discoveries/not-a-mac").then().statusCode(400).body("field", equalTo("deviceId"));
        given().get("/api/v1/discoveries/02:00:00:00:ff:ff").then().statusCode(404)
                .contentType("application/problem+json").body("status", equalTo(404));
    }

    @Test
    void readyWhileBoundAndMetricsExposed() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'discovery-udp' }.status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("cam_discovery_datagrams_received_total"))
                .body(containsString("cam_discovery_datagrams_accepted_total"))
                .body(containsString("cam_discovery_devices_known"))
                .body(containsString("cam_discovery_forward_queue_depth"));
        given().get("/q/openapi").then().statusCode(200).body(containsString("/api/v1/scans"));
    }
}
