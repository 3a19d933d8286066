package org.cam.management.device;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import org.cam.management.support.Api;
import org.cam.simulator.Fleet;
import org.cam.simulator.SimulatorConfig;
import org.cam.simulator.device.SimDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A peer on the device segment announces a managed device's MAC with its own address (127.0.87.x, real simulated
 * devices): discovery alone never moves a managed device. A move is applied only once the device proves itself at
 * the new address over the pinned, secret-authenticated HTTPS channel; the datagram's source must be the advertised
 * address; the boot counter only goes up; auto-approve does not enrol a device under a MAC it does not have.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeviceMoveTest {
    static final String VICTIM = "127.0.87.1";
    static final String ATTACKER = "127.0.87.2";
    static final String MOVED = "127.0.87.3";
    static final String AUTO = "127.0.87.66";   // in the test profile's auto-approve subnets
    static final int HTTPS = 29443;
    static final int KVM = 29900;
    static Path victimState;
    static Path attackerState;
    static Fleet victim;
    static Fleet attacker;
    static String mac;
    static long id;

    @Inject
    MeterRegistry meters;

    @BeforeAll
    static void start() throws Exception {
        victimState = Files.createTempDirectory("cam-move-victim");
        attackerState = Files.createTempDirectory("cam-move-attacker");
        victim = fleet(VICTIM, victimState, "87");
        // the same seed: the same MAC and serial, but a key and certificate of its own and no device secret
        attacker = fleet(ATTACKER, attackerState, "87");
    }

    static Fleet fleet(String address, Path state, String seed) throws Exception {
        Fleet f = new Fleet(SimulatorConfig.parse("--count", "1", "--first-address", address, "--channels", "2",
                "--seed", seed, "--https-port", String.valueOf(HTTPS), "--kvm-port", String.valueOf(KVM),
                "--discovery", "manual", "--manager", "127.0.87.250:29080", "--tick-millis", "3600000",
                "--name-prefix", "mv" + seed, "--state-dir", state.toString()));
        f.start(m -> { }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return f;
    }

    @AfterAll
    static void stop() {
        for (Fleet f : new Fleet[] {victim, attacker}) {
            if (f != null) {
                f.close();
            }
        }
    }

    static SimDevice device(Fleet f) {
        return f.members().get(0).device();
    }

    static Map<String, Object> notice(SimDevice d, String address, String source, String fingerprint, long boots) {
        Map<String, Object> n = DeviceEnrolmentTest.notice(d, DeviceEnrolmentTest.VERSION.incrementAndGet(),
                fingerprint);
        n.put("address", address);
        n.put("sourceAddress", source);
        n.put("httpsPort", HTTPS);
        n.put("kvmPortFirst", KVM);
        n.put("kvmPortLast", KVM + 1);
        n.put("channelCount", 2);
        n.put("bootCounter", boots);
        return n;
    }

    static String status(Map<String, Object> notice) {
        return DeviceEnrolmentTest.post(notice).then().statusCode(200).extract().jsonPath().getString("status");
    }

    static List<String> targetHosts() {
        return Api.admin().queryParam("q", device(victim).name() + "-ch").queryParam("size", 10).get("/api/v1/targets")
                .then().statusCode(200).extract().jsonPath().getList("items.findAll { it.name.startsWith('"
                        + device(victim).name() + "-ch') }.host");
    }

    static List<Map<String, Object>> audit(String objectId, String action) {
        return Api.admin().queryParam("objectId", objectId).queryParam("action", action).queryParam("size", 100)
                .get("/api/v1/audit-events").then().statusCode(200).extract().jsonPath()
                .getList("items.findAll { it.action == '" + action + "' }");
    }

    static int raised(String key) {
        return Api.admin().queryParam("state", "RAISED").queryParam("key", key).get("/api/v1/alarms").then()
                .statusCode(200).extract().jsonPath().getInt("total");
    }

    @Test
    @Order(1)
    void enrolTheVictim() {
        SimDevice d = device(victim);
        mac = d.identity().mac().toString();
        assertThat(status(notice(d, VICTIM, VICTIM, d.certificate().fingerprintHex(), d.bootCounter())))
                .isEqualTo("applied");
        id = DeviceEnrolmentTest.deviceId(d);
        Api.admin().post("/api/v1/devices/" + id + "/approve").then().statusCode(200);
        assertThat(targetHosts()).hasSize(2).containsOnly(VICTIM);
    }

    @Test
    @Order(2)
    void anAnnouncedMoveTheDeviceCannotProveChangesNothing() {
        SimDevice real = device(victim);
        SimDevice fake = device(attacker);
        // the attacker's own certificate, and then the victim's fingerprint copied (it cannot hold the key)
        for (String fp : List.of(fake.certificate().fingerprintHex(), real.certificate().fingerprintHex())) {
            int before = audit(mac, "DEVICE_MOVE").size();
            status(notice(fake, ATTACKER, ATTACKER, fp, real.bootCounter() + 5));
            await().atMost(Duration.ofSeconds(20)).until(() -> audit(mac, "DEVICE_MOVE").size() > before);
            assertThat(audit(mac, "DEVICE_MOVE").get(0).get("outcome")).isEqualTo("FAILURE");
            JsonPath view = DeviceEnrolmentTest.deviceView(id);
            assertThat(view.getString("address")).isEqualTo(VICTIM);
            assertThat(view.getString("state")).isEqualTo("MANAGED");
            assertThat(targetHosts()).containsOnly(VICTIM);
        }
        assertThat(raised("device.MOVE:" + mac)).isEqualTo(1);
        assertThat(fake.enrolled()).isFalse();
    }

    @Test
    @Order(3)
    void theSourceMustBeTheAdvertisedAddressAndTheBootCounterOnlyGoesUp() {
        SimDevice real = device(victim);
        String fp = real.certificate().fingerprintHex();
        double refused = refused();
        assertThat(status(notice(real, ATTACKER, VICTIM, fp, real.bootCounter()))).isEqualTo("refused");
        Map<String, Object> noSource = notice(real, ATTACKER, VICTIM, fp, real.bootCounter());
        noSource.remove("sourceAddress");
        assertThat(status(noSource)).isEqualTo("refused");
        assertThat(status(notice(real, VICTIM, VICTIM, fp, real.bootCounter() - 1))).isEqualTo("refused");
        assertThat(refused() - refused).isEqualTo(3);
        assertThat(audit(mac, "DEVICE_NOTICE_REFUSED")).hasSizeGreaterThanOrEqualTo(3);
        assertThat(DeviceEnrolmentTest.deviceView(id).getString("address")).isEqualTo(VICTIM);
        assertThat(targetHosts()).containsOnly(VICTIM);
    }

    @Test
    @Order(4)
    void aMoveTheDeviceProvesOverItsPinnedChannelIsApplied() throws Exception {
        victim.close();
        victim = fleet(MOVED, victimState, "87");   // the same device (key, secret, boot counter + 1) elsewhere
        SimDevice d = device(victim);
        int before = audit(mac, "DEVICE_MOVE").size();
        status(notice(d, MOVED, MOVED, d.certificate().fingerprintHex(), d.bootCounter()));
        await().atMost(Duration.ofSeconds(20)).until(() -> MOVED.equals(DeviceEnrolmentTest.deviceView(id)
                .getString("address")));
        assertThat(targetHosts()).hasSize(2).containsOnly(MOVED);
        List<Map<String, Object>> moves = audit(mac, "DEVICE_MOVE");
        assertThat(moves).hasSize(before + 1);
        assertThat(moves.get(0).get("outcome")).isEqualTo("SUCCESS");
        assertThat(raised("device.MOVE:" + mac)).isZero();
    }

    @Test
    @Order(5)
    void autoApproveDoesNotEnrolADeviceUnderAForgedMac() throws Exception {
        Path state = Files.createTempDirectory("cam-move-auto");
        Fleet f = fleet(AUTO, state, "89");
        try {
            SimDevice d = device(f);
            Map<String, Object> forged = notice(d, AUTO, AUTO, d.certificate().fingerprintHex(), d.bootCounter());
            String forgedMac = "02:87:00:00:00:42";
            forged.put("deviceId", forgedMac);
            forged.put("name", "forged-87");
            assertThat(status(forged)).isEqualTo("applied");
            await().atMost(Duration.ofSeconds(20)).until(() -> !audit(forgedMac, "DEVICE_ENROL").isEmpty());
            assertThat(audit(forgedMac, "DEVICE_ENROL").get(0).get("outcome")).isEqualTo("FAILURE");
            assertThat(d.enrolled()).isFalse();
            assertThat(Api.admin().queryParam("q", "forged-87").get("/api/v1/targets").then().statusCode(200)
                    .extract().jsonPath().getInt("total")).isZero();

            // a notice whose datagram came from elsewhere is not even recorded, let alone auto-approved
            Map<String, Object> spoofed = notice(d, "127.0.87.67", AUTO, d.certificate().fingerprintHex(), 1);
            spoofed.put("deviceId", "02:87:00:00:00:43");
            assertThat(status(spoofed)).isEqualTo("refused");
            assertThat(Api.admin().queryParam("q", "02:87:00:00:00:43").get("/api/v1/devices").then()
                    .statusCode(200).extract().jsonPath().getInt("total")).isZero();
        } finally {
            f.close();
        }
    }

    double refused() {
        return meters.find("cam.devices.notices.refused").counters().stream().mapToDouble(c -> c.count()).sum();
    }
}
