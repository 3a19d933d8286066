package org.cam.management.device;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.cam.management.common.SecretBox;
import org.cam.management.device.service.DeviceService;
import org.cam.management.session.KvmSession;
import org.cam.management.session.service.OneTimePasswordBinding;
import org.cam.management.session.service.SessionExpiry;
import org.cam.management.support.Api;
import org.cam.protocol.rfb.VncAuth;
import org.cam.simulator.Fleet;
import org.cam.simulator.SimulatorConfig;
import org.cam.simulator.device.SimDevice;
import org.cam.testsupport.rfb.RfbTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What a captured RFB handshake on the device segment is worth, against a real simulated device (HTTPS and RFB on
 * 127.0.95.x): after enrolment the channel's own credential opens nothing (only single-use per-claim credentials do),
 * RFB is open to the brokers' addresses only (pushed by management-api), a credential a lost broker never used is
 * deleted from the device, and channel credentials and one-time VNC passwords are bound to their rows.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChannelSecurityTest {
    static final String FIRST = "127.0.95.1";
    static final String STRANGER = "127.0.95.200";
    static final int KVM = 15960;
    static final String BROKER = DeviceEnrolmentTest.BROKER;
    /** An address of its own each run: the per-address guess budget (in the database) is nobody else's. */
    static final String CLIENT = "198.51.100." + (1 + new SecureRandom().nextInt(250));
    static Fleet fleet;
    static long deviceId;

    @Inject
    SecretBox secrets;

    @Inject
    DeviceService devices;

    @Inject
    SessionExpiry expiry;

    @Inject
    OneTimePasswordBinding oneTimePasswords;

    @BeforeAll
    static void startDevice() throws Exception {
        // as shipped: the device lets anybody speak RFB until the manager says otherwise; a seed (MAC, serial) and
        // names of its own, as the other device tests in this Quarkus boot have
        fleet = new Fleet(SimulatorConfig.parse("--count", "1", "--first-address", FIRST, "--channels", "3",
                "--https-port", "19643", "--kvm-port", String.valueOf(KVM), "--discovery", "manual",
                "--manager", "127.0.95.250:3080", "--tick-millis", "3600000", "--seed", "95", "--name-prefix", "sec"));
        fleet.start(m -> { }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stopDevice() {
        if (fleet != null) {
            fleet.close();
        }
    }

    static SimDevice device() {
        return fleet.members().get(0).device();
    }

    /** The channel's own credential as management-api stores it (what cracking a handshake from before revealed). */
    String ownCredential(int channel) {
        DeviceChannel c = channelRow(channel);
        return secrets.decrypt(c.credentialEnc, c.credentialContext());
    }

    static DeviceChannel channelRow(int channel) {
        return QuarkusTransaction.requiringNew().call(() -> DeviceChannel.<DeviceChannel>find(
                "deviceId = ?1 and channel = ?2", deviceId, channel).firstResult());
    }

    static long target(int channel) {
        return channelRow(channel).targetId;
    }

    static String request(long target) {
        return Api.admin().body(Map.of("targetId", target, "mode", "view")).post("/api/v1/sessions").then()
                .statusCode(201).extract().jsonPath().getString("sessionId");
    }

    static String claim(String sessionId, String brokerId) {
        return given().auth().oauth2(BROKER).contentType("application/json").body(Map.of("brokerId", brokerId))
                .post("/api/v1/internal/sessions/" + sessionId + "/claim").then().statusCode(200).extract().jsonPath()
                .getString("device.password");
    }

    static String endReason(String sessionId) {
        return Api.admin().get("/api/v1/sessions/" + sessionId).then().statusCode(200).extract().jsonPath()
                .getString("endReason");
    }

    /** RFB 3.8 from {@code local}: the refusal reason when the device refuses before any security type, else null. */
    static String refusal(String local) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
            s.connect(new InetSocketAddress(FIRST, KVM), 5000);
            s.setSoTimeout(5000);
            RfbTestClient c = RfbTestClient.over(s);
            c.handshake("no-such1");
            return c.offeredSecurityTypes().isEmpty() ? c.failureReason : null;
        }
    }

    @Test
    @Order(1)
    void afterEnrolmentOnlyASessionsOwnCredentialOpensTheConsole() throws Exception {
        SimDevice d = device();
        DeviceEnrolmentTest.post(DeviceEnrolmentTest.notice(d, DeviceEnrolmentTest.VERSION.incrementAndGet(),
                d.certificate().fingerprintHex())).then().statusCode(200);
        deviceId = DeviceEnrolmentTest.deviceId(d);
        Api.admin().post("/api/v1/devices/" + deviceId + "/approve").then().statusCode(200);

        // The channel's own credential still exists (for devices without session credentials) but opens nothing:
        // cracking a handshake captured before (or one of such a device) gains no console.
        String own = ownCredential(1);
        assertThat(own).hasSize(8);
        assertThat(DeviceEnrolmentTest.vncHandshake(FIRST, KVM, own)).as("the channel's own credential").isNotZero();
        assertThat(d.sessionCredentialsOnly()).isTrue();
        String password = claim(request(target(1)), "broker-sec");
        assertThat(password).isNotEqualTo(own);
        assertThat(DeviceEnrolmentTest.vncHandshake(FIRST, KVM, password)).isZero();
        assertThat(DeviceEnrolmentTest.vncHandshake(FIRST, KVM, password)).as("used up").isNotZero();

        // RFB only from the brokers' addresses (cam.management.devices.rfb-allowed-sources, pushed at enrolment)
        assertThat(refusal(STRANGER)).isEqualTo("RFB is only open to the CAM brokers");
        assertThat(refusal("127.0.0.1")).isNull();
        assertThat(d.rfbAllowedSources()).isEqualTo("127.0.0.1/32");
        List<String> details = Api.admin().queryParam("objectId", d.identity().mac().toString())
                .queryParam("action", "DEVICE_ENROL").get("/api/v1/audit-events").then().statusCode(200).extract()
                .jsonPath().getList("items.details");
        assertThat(details).anyMatch(t -> t.contains("sessionCredentialsOnly=true rfbAllowedSources=[\"127.0.0.1/32\"]"));
    }

    @Test
    @Order(2)
    void aConfigurationPushBringsADeviceEnrolledBeforeUpToDate() throws Exception {
        SimDevice d = device();
        // as a device enrolled before these settings existed
        d.sessionCredentialsOnly(false);
        d.rfbAllowedSources("");
        String own = ownCredential(2);
        assertThat(DeviceEnrolmentTest.vncHandshake(FIRST, KVM + 1, own)).isZero();
        assertThat(refusal(STRANGER)).isNull();

        Api.admin().body(Map.of("name", d.name() + "-db")).put("/api/v1/devices/" + deviceId + "/channels/2")
                .then().statusCode(200);
        assertThat(d.sessionCredentialsOnly()).isTrue();
        assertThat(d.rfbAllowedSources()).isEqualTo("127.0.0.1/32");
        assertThat(DeviceEnrolmentTest.vncHandshake(FIRST, KVM + 1, own)).isNotZero();
        assertThat(refusal(STRANGER)).isEqualTo("RFB is only open to the CAM brokers");
    }

    @Test
    @Order(3)
    void aCredentialTheBrokerNeverUsedIsDeletedWhenTheBrokerIsLost() throws Exception {
        SimDevice.Channel ch = device().channel(3);
        long target = target(3);

        // a broker that went silent: its sessions end as broker_lost at the next expiry round
        String silentBroker = "silent-" + System.nanoTime();
        String id = request(target);
        String unused = claim(id, silentBroker);
        assertThat(ch.sessionCredentials().size()).isEqualTo(1);
        QuarkusTransaction.requiringNew().run(() -> KvmSession.getEntityManager().createNativeQuery(
                        "INSERT INTO broker_instance (broker_id, last_heartbeat, draining) VALUES (?1, ?2, false)")
                .setParameter(1, silentBroker).setParameter(2, Instant.now().minus(Duration.ofHours(1)))
                .executeUpdate());
        QuarkusTransaction.requiringNew().run(expiry::expireNow);
        assertThat(endReason(id)).isEqualTo("broker_lost");
        // well within the credential's 60 s lifetime: deleted, not left to expire
        await().atMost(Duration.ofSeconds(20)).until(() -> ch.sessionCredentials().size() == 0);
        assertThat(DeviceEnrolmentTest.vncHandshake(FIRST, KVM + 2, unused)).isNotZero();

        // a broker that heartbeats but no longer reports the session
        String forgetful = "forgetful-" + System.nanoTime();
        String id2 = request(target);
        claim(id2, forgetful);
        assertThat(ch.sessionCredentials().size()).isEqualTo(1);
        QuarkusTransaction.requiringNew().run(() -> KvmSession.update("claimedAt = ?1 where id = ?2",
                Instant.now().minus(Duration.ofHours(1)), id2));
        given().auth().oauth2(BROKER).contentType("application/json").body(Map.of("activeSessionIds", List.of()))
                .post("/api/v1/internal/brokers/" + forgetful + "/heartbeat").then().statusCode(200);
        assertThat(endReason(id2)).isEqualTo("broker_lost");
        await().atMost(Duration.ofSeconds(20)).until(() -> ch.sessionCredentials().size() == 0);

        // an admin disconnect of a claimed session (the broker reports the end later)
        String id3 = request(target);
        claim(id3, forgetful);
        Api.admin().delete("/api/v1/sessions/" + id3).then().statusCode(202);
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("brokerId", forgetful, "reason", "admin_disconnect"))
                .post("/api/v1/internal/sessions/" + id3 + "/end").then().statusCode(204);
        await().atMost(Duration.ofSeconds(20)).until(() -> ch.sessionCredentials().size() == 0);
    }

    @Test
    @Order(4)
    void channelCredentialsAreBoundToTheirRows() {
        DeviceChannel one = channelRow(1);
        DeviceChannel two = channelRow(2);
        assertThat(one.credentialEnc).startsWith("v2:");
        // copied into another channel's row by someone who can write the database but has no key: useless there
        assertThatThrownBy(() -> secrets.decrypt(one.credentialEnc, two.credentialContext()))
                .isInstanceOf(IllegalStateException.class);
        // stored before the binding: re-encrypted bound at start-up, and no longer accepted unbound
        String legacy = secrets.encrypt("Legacy12");
        QuarkusTransaction.requiringNew().run(() -> DeviceChannel.update(
                "credentialEnc = ?1 where deviceId = ?2 and channel = 2", legacy, deviceId));
        assertThat(devices.bindSecretsToTheirRows()).isGreaterThanOrEqualTo(1);
        DeviceChannel rebound = channelRow(2);
        assertThat(rebound.credentialEnc).startsWith("v2:");
        assertThat(secrets.decrypt(rebound.credentialEnc, rebound.credentialContext())).isEqualTo("Legacy12");
        assertThatThrownBy(() -> secrets.decrypt(legacy, two.credentialContext()))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    @Order(5)
    void oneTimePasswordsAreBoundToTheirSessions() {
        long target = target(1);
        Map<String, Object> mine = Api.admin().body(Map.of("targetId", target, "mode", "view"))
                .post("/api/v1/sessions").then().statusCode(201).extract().jsonPath().getMap("");
        String victim = request(target);
        String mineId = (String) mine.get("sessionId");
        String minePassword = (String) mine.get("vncPassword");
        String mineEnc = QuarkusTransaction.requiringNew().call(() -> KvmSession.<KvmSession>findById(mineId)
                .vncPasswordEnc);

        // someone who can write the database copies the ciphertext of a password they know into another pending
        // session, drops their own, and answers with their password: no session answers it
        QuarkusTransaction.requiringNew().run(() -> KvmSession.update("vncPasswordEnc = ?1 where id = ?2", mineEnc,
                victim));
        Api.admin().delete("/api/v1/sessions/" + mineId).then().statusCode(204);
        byte[] challenge = new byte[16];
        new SecureRandom().nextBytes(challenge);
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(vncBody(challenge, VncAuth.response(challenge, minePassword)))
                .post("/api/v1/internal/sessions/claim-by-vnc-response").then().statusCode(409);
        Api.admin().get("/api/v1/sessions/" + victim).then().statusCode(200)
                .body("state", org.hamcrest.Matchers.equalTo("PENDING"));
        assertThat(mineEnc).startsWith("v2:");

        // a pending session's password stored before the binding is no candidate until start-up binds it
        String legacy = secrets.encrypt("Legacy34");
        QuarkusTransaction.requiringNew().run(() -> KvmSession.update("vncPasswordEnc = ?1 where id = ?2", legacy,
                victim));
        new SecureRandom().nextBytes(challenge);
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(vncBody(challenge, VncAuth.response(challenge, "Legacy34")))
                .post("/api/v1/internal/sessions/claim-by-vnc-response").then().statusCode(409);
        assertThat(oneTimePasswords.bindToTheirRows()).isGreaterThanOrEqualTo(1);
        new SecureRandom().nextBytes(challenge);
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(vncBody(challenge, VncAuth.response(challenge, "Legacy34")))
                .post("/api/v1/internal/sessions/claim-by-vnc-response").then().statusCode(200)
                .body("sessionId", org.hamcrest.Matchers.equalTo(victim));
    }

    static Map<String, Object> vncBody(byte[] challenge, byte[] response) {
        return Map.of("brokerId", "broker-sec", "clientAddress", CLIENT,
                "challenge", Base64.getEncoder().encodeToString(challenge),
                "response", Base64.getEncoder().encodeToString(response));
    }
}
