package org.cam.management.device;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.cam.management.support.Api;
import org.cam.protocol.rfb.VncAuth;
import org.cam.simulator.Fleet;
import org.cam.simulator.SimulatorConfig;
import org.cam.simulator.device.SimDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Against real simulated devices (device-simulator in this JVM, HTTPS and RFB on 127.0.93.x): discovery upsert and
 * versioning, enrolment over the pinned channel (a pin mismatch is refused and raises an alarm), targets per
 * channel, a session whose claim returns the device endpoint and a credential the device accepts, and
 * offline -> alarm -> recovery when the devices go away and come back.
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeviceEnrolmentTest {
    static final String FIRST = "127.0.93.1";
    static final String DISCOVERY = "test-discovery-token";
    static final String BROKER = "test-broker-token";
    static final AtomicLong VERSION = new AtomicLong(System.currentTimeMillis() * 1000);
    static Path stateDir;
    static Fleet fleet;

    @BeforeAll
    static void startDevices() throws Exception {
        stateDir = Files.createTempDirectory("cam-mgmt-devices");
        fleet = startFleet();
    }

    static Fleet startFleet() throws Exception {
        Fleet f = new Fleet(SimulatorConfig.parse("--count", "3", "--first-address", FIRST, "--channels", "3",
                "--https-port", "19643", "--kvm-port", "15960", "--discovery", "manual",
                "--manager", "127.0.93.250:3080", "--tick-millis", "3600000", "--state-dir", stateDir.toString()));
        f.start(m -> { }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return f;
    }

    @AfterAll
    static void stopDevices() {
        if (fleet != null) {
            fleet.close();
        }
    }

    static SimDevice device(int i) {
        return fleet.members().get(i).device();
    }

    static Map<String, Object> notice(SimDevice d, long version, String fingerprint) {
        Map<String, Object> n = new HashMap<>();
        n.put("deviceId", d.identity().mac().toString());
        n.put("version", version);
        n.put("serial", d.identity().serial());
        n.put("model", d.identity().model());
        n.put("firmwareVersion", d.firmware());
        n.put("name", d.name());
        n.put("address", d.address().getHostAddress());
        n.put("httpsPort", 19643);
        n.put("kvmPortFirst", d.kvmFirstPort());
        n.put("kvmPortLast", d.kvmFirstPort() + 2);
        n.put("channelCount", 3);
        n.put("bootCounter", d.bootCounter());
        n.put("certificateFingerprint", fingerprint);
        n.put("sourceAddress", d.address().getHostAddress());
        n.put("heardVia", "SCAN_REPLY");
        n.put("firstSeen", Instant.now().toString());
        n.put("lastSeen", Instant.now().toString());
        return n;
    }

    static io.restassured.response.Response post(Map<String, Object> notice) {
        return given().auth().oauth2(DISCOVERY).contentType("application/json").body(notice)
                .post("/api/v1/internal/discoveries");
    }

    static long deviceId(SimDevice d) {
        return Api.admin().queryParam("q", d.identity().mac().toString()).get("/api/v1/devices").then()
                .statusCode(200).extract().jsonPath().getLong("items[0].id");
    }

    static JsonPath deviceView(long id) {
        return Api.admin().get("/api/v1/devices/" + id).then().statusCode(200).extract().jsonPath();
    }

    @Test
    @Order(1)
    void discoveryUpsertIsVersioned() {
        SimDevice d = device(0);
        String fp = d.certificate().fingerprintHex();
        long v = VERSION.incrementAndGet();
        assertThat(post(notice(d, v, fp)).then().statusCode(200).extract().jsonPath().getString("status"))
                .isEqualTo("applied");
        assertThat(post(notice(d, v, fp)).then().statusCode(200).extract().jsonPath().getString("status"))
                .isEqualTo("ignored");
        Map<String, Object> older = notice(d, v - 1, fp);
        older.put("name", "stale-name");
        assertThat(post(older).then().statusCode(200).extract().jsonPath().getString("status")).isEqualTo("ignored");
        JsonPath view = deviceView(deviceId(d));
        assertThat(view.getString("state")).isEqualTo("DISCOVERED");
        assertThat(view.getString("name")).isEqualTo(d.name());
        assertThat(view.getString("advertisedFingerprint")).isEqualTo(fp);

        // only discovery's credential, and only valid notices
        given().contentType("application/json").body(notice(d, v + 1, fp)).post("/api/v1/internal/discoveries")
                .then().statusCode(401);
        given().auth().oauth2(BROKER).contentType("application/json").body(notice(d, v + 1, fp))
                .post("/api/v1/internal/discoveries").then().statusCode(403);
        Api.admin().body(notice(d, v + 1, fp)).post("/api/v1/internal/discoveries").then().statusCode(403);
        Map<String, Object> bad = notice(d, v + 1, "not-hex");
        post(bad).then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("certificateFingerprint"));
        bad = notice(d, v + 1, fp);
        bad.put("httpsPort", "many");
        post(bad).then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("httpsPort"));
        bad = notice(d, v + 1, fp);
        bad.put("deviceId", "02:ca");
        post(bad).then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("deviceId"));
    }

    @Test
    @Order(2)
    void enrolmentRefusesAPinMismatch() {
        SimDevice d = device(1);
        String wrong = "ab".repeat(32);
        post(notice(d, VERSION.incrementAndGet(), wrong)).then().statusCode(200);
        long id = deviceId(d);
        Api.admin().post("/api/v1/devices/" + id + "/approve").then().statusCode(409)
                .body("field", org.hamcrest.Matchers.equalTo("certificateFingerprint"));
        assertThat(d.enrolled()).isFalse();
        JsonPath view = deviceView(id);
        assertThat(view.getString("state")).isEqualTo("PENDING");
        assertThat(view.getString("lastError")).contains("fingerprint");
        assertThat(Api.admin().queryParam("state", "RAISED")
                .queryParam("key", "device.CERT_MISMATCH:" + d.identity().mac()).get("/api/v1/alarms")
                .then().statusCode(200).extract().jsonPath().getInt("total")).isEqualTo(1);
        Api.admin().post("/api/v1/devices/" + id + "/reject").then().statusCode(200)
                .body("state", org.hamcrest.Matchers.equalTo("REJECTED"));
    }

    @Test
    @Order(3)
    void approveEnrolsAndChannelsBecomeTargets() throws Exception {
        SimDevice d = device(0);
        long id = deviceId(d);
        JsonPath view = Api.admin().post("/api/v1/devices/" + id + "/approve").then().statusCode(200)
                .extract().jsonPath();
        assertThat(view.getString("state")).isEqualTo("MANAGED");
        assertThat(view.getString("pinnedFingerprint")).isEqualTo(d.certificate().fingerprintHex());
        assertThat(view.getList("channels")).hasSize(3);
        assertThat(view.getList("channels.credentialSet")).containsOnly(true);
        assertThat(d.enrolled()).isTrue();
        assertThat(d.channels()).allMatch(SimDevice.Channel::hasPassword);
        assertThat(d.channel(2).name()).isEqualTo(d.name() + "-ch2");

        JsonPath targets = Api.admin().queryParam("q", d.name() + "-ch").get("/api/v1/targets").then().statusCode(200)
                .extract().jsonPath();
        assertThat(targets.getList("items.name")).containsExactly(d.name() + "-ch1", d.name() + "-ch2",
                d.name() + "-ch3");
        assertThat(targets.getList("items.status")).containsOnly("AVAILABLE");
        assertThat(targets.getList("items.kind")).containsOnly("DEVICE_CHANNEL");
        long target2 = targets.getLong("items[1].id");

        // a session on channel 2: the claim names the device endpoint and a credential the device accepts, once
        String sessionId = Api.admin().body(Map.of("targetId", target2, "mode", "control")).post("/api/v1/sessions")
                .then().statusCode(201).extract().jsonPath().getString("sessionId");
        JsonPath claim = given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("brokerId", "broker-dev", "clientAddress", "127.0.0.9"))
                .post("/api/v1/internal/sessions/" + sessionId + "/claim").then().statusCode(200).extract().jsonPath();
        assertThat(claim.getString("device.host")).isEqualTo(FIRST);
        assertThat(claim.getInt("device.port")).isEqualTo(15961);
        assertThat(claim.getString("device.auth")).isEqualTo("VNC");
        assertThat(vncHandshake(FIRST, 15961, claim.getString("device.password"))).isZero();
        // the claim's credential is this session's own, set on the device for it: the one authentication used it up
        assertThat(vncHandshake(FIRST, 15961, claim.getString("device.password"))).as("second use").isNotZero();
        assertThat(vncHandshake(FIRST, 15961, "wrongpw!")).isNotZero();
        given().auth().oauth2(BROKER).contentType("application/json").body(Map.of("brokerId", "broker-dev"))
                .post("/api/v1/internal/sessions/" + sessionId + "/claim").then().statusCode(409);
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("brokerId", "broker-dev", "reason", "client_closed"))
                .post("/api/v1/internal/sessions/" + sessionId + "/end").then().statusCode(204);

        // a session whose broker never got to the device: its credential waits there until the session ends
        String unused = Api.admin().body(Map.of("targetId", target2, "mode", "view")).post("/api/v1/sessions")
                .then().statusCode(201).extract().jsonPath().getString("sessionId");
        String unusedPassword = given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("brokerId", "broker-dev")).post("/api/v1/internal/sessions/" + unused + "/claim")
                .then().statusCode(200).extract().jsonPath().getString("device.password");
        assertThat(unusedPassword).isNotEqualTo(claim.getString("device.password"));
        assertThat(d.channel(2).sessionCredentials().size()).isEqualTo(1);
        given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("brokerId", "broker-dev", "reason", "device_unreachable"))
                .post("/api/v1/internal/sessions/" + unused + "/end").then().statusCode(204);
        org.awaitility.Awaitility.await().until(() -> d.channel(2).sessionCredentials().size() == 0);
        assertThat(vncHandshake(FIRST, 15961, unusedPassword)).isNotZero();

        // approving a managed device re-enrols it: new secret, new channel credentials, same targets
        String secretBefore = d.deviceSecret();
        JsonPath again = Api.admin().post("/api/v1/devices/" + id + "/approve").then().statusCode(200)
                .extract().jsonPath();
        assertThat(again.getString("state")).isEqualTo("MANAGED");
        assertThat(again.getList("channels.targetId", Long.class)).contains(target2);
        assertThat(d.deviceSecret()).isNotEqualTo(secretBefore);
        String id2 = Api.admin().body(Map.of("targetId", target2, "mode", "view")).post("/api/v1/sessions")
                .then().statusCode(201).extract().jsonPath().getString("sessionId");
        String password2 = given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("brokerId", "broker-dev")).post("/api/v1/internal/sessions/" + id2 + "/claim")
                .then().statusCode(200).extract().jsonPath().getString("device.password");
        assertThat(password2).isNotEqualTo(claim.getString("device.password"));
        assertThat(vncHandshake(FIRST, 15961, password2)).isZero();

        // an operator changes a channel target's policy (PUT of the object as read); its endpoint stays the device's
        JsonPath t2 = Api.admin().get("/api/v1/targets/" + target2).then().statusCode(200).extract().jsonPath();
        Map<String, Object> put = new HashMap<>(Map.of("name", t2.getString("name"), "host", FIRST, "port", 15961,
                "accessPolicy", "EXCLUSIVE", "version", t2.getLong("version")));
        Api.admin().body(put).put("/api/v1/targets/" + target2).then().statusCode(200)
                .body("accessPolicy", org.hamcrest.Matchers.equalTo("EXCLUSIVE"));
        put.put("port", 5900);
        put.put("version", t2.getLong("version") + 1);
        Api.admin().body(put).put("/api/v1/targets/" + target2).then().statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("host"));

        // renaming a channel is pushed to the device
        Api.admin().body(Map.of("name", d.name() + "-web")).put("/api/v1/devices/" + id + "/channels/3")
                .then().statusCode(200);
        assertThat(d.channel(3).name()).isEqualTo(d.name() + "-web");
    }

    @Test
    @Order(4)
    void autoApproveBySubnetAndTheSeedGrant() {
        org.cam.management.support.Api.syncLdap();   // cam-users exists
        SimDevice d = device(2);   // 127.0.93.3: the test profile's auto-approve subnet
        post(notice(d, VERSION.incrementAndGet(), d.certificate().fingerprintHex())).then().statusCode(200);
        long id = deviceId(d);
        await().atMost(Duration.ofSeconds(20)).until(() -> "MANAGED".equals(deviceView(id).getString("state")));
        assertThat(d.enrolled()).isTrue();
        // uma (cam-users) sees the enrolled channels through the seed grant, view only
        JsonPath mine = Api.demo("uma").queryParam("q", d.name() + "-ch").get("/api/v1/me/targets").then()
                .statusCode(200).extract().jsonPath();
        assertThat(mine.getList("items.name")).hasSize(3);
        assertThat(mine.getList("items.access")).containsOnly("VIEW_ONLY");
        long target = mine.getLong("items[0].id");
        Api.demo("uma").body(Map.of("targetId", target, "mode", "control")).post("/api/v1/sessions").then()
                .statusCode(403);
        Api.demo("uma").body(Map.of("targetId", target, "mode", "view")).post("/api/v1/sessions").then()
                .statusCode(201);

        // a managed device that advertises another certificate keeps its pin and raises an alarm, which stays
        // although the device goes on presenting the pinned one (that is what a forged announcement looks like)
        post(notice(d, VERSION.incrementAndGet(), "cd".repeat(32))).then().statusCode(200);
        assertThat(deviceView(id).getString("pinnedFingerprint")).isEqualTo(d.certificate().fingerprintHex());
        long polled = deviceView(id).getString("lastPollAt") == null ? 0
                : Instant.parse(deviceView(id).getString("lastPollAt")).toEpochMilli();
        await().atMost(Duration.ofSeconds(20)).until(() -> deviceView(id).getString("lastPollAt") != null
                && Instant.parse(deviceView(id).getString("lastPollAt")).toEpochMilli() > polled);
        assertThat(Api.admin().queryParam("state", "RAISED")
                .queryParam("key", "device.ADVERTISED_CERT:" + d.identity().mac()).get("/api/v1/alarms")
                .then().statusCode(200).extract().jsonPath().getInt("total")).isEqualTo(1);
    }

    @Test
    @Order(5)
    void offlineRaisesAnAlarmAndRecoveryClearsIt() throws Exception {
        SimDevice d = device(0);
        String mac = d.identity().mac().toString();
        long id = deviceId(d);
        long target = Api.admin().queryParam("q", d.name() + "-ch1").get("/api/v1/targets").then().statusCode(200)
                .extract().jsonPath().getLong("items[0].id");
        await().atMost(Duration.ofSeconds(20)).until(() -> "ONLINE".equals(deviceView(id).getString("status")));
        String doomed = Api.admin().body(Map.of("targetId", target, "mode", "view")).post("/api/v1/sessions").then()
                .statusCode(201).extract().jsonPath().getString("sessionId");

        fleet.close();
        fleet = null;
        // the device cannot take the session's credential: the claim fails with 503 and the session ends
        given().auth().oauth2(BROKER).contentType("application/json").body(Map.of("brokerId", "broker-dev"))
                .post("/api/v1/internal/sessions/" + doomed + "/claim").then().statusCode(503)
                .header("Retry-After", "5");
        Api.admin().get("/api/v1/sessions/" + doomed).then().statusCode(200)
                .body("state", org.hamcrest.Matchers.equalTo("ENDED"))
                .body("endReason", org.hamcrest.Matchers.equalTo("device_unreachable"));
        await().atMost(Duration.ofSeconds(30)).until(() -> "OFFLINE".equals(deviceView(id).getString("status")));
        assertThat(alarms(mac, "RAISED")).isEqualTo(1);
        Api.admin().get("/api/v1/targets/" + target).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("UNAVAILABLE"));
        Api.admin().body(Map.of("targetId", target, "mode", "view")).post("/api/v1/sessions").then().statusCode(409)
                .body("detail", org.hamcrest.Matchers.startsWith("unavailable"));

        fleet = startFleet();
        await().atMost(Duration.ofSeconds(30)).until(() -> "ONLINE".equals(deviceView(id).getString("status")));
        assertThat(alarms(mac, "RAISED")).isZero();
        assertThat(alarms(mac, "CLEARED")).isEqualTo(1);
        Api.admin().get("/api/v1/targets/" + target).then().statusCode(200)
                .body("status", org.hamcrest.Matchers.equalTo("AVAILABLE"));
        List<String> actions = Api.admin().queryParam("objectId", mac).queryParam("size", 200)
                .get("/api/v1/audit-events").then().statusCode(200).extract().jsonPath().getList("items.action");
        assertThat(actions).contains("DEVICE_DISCOVERED", "DEVICE_APPROVE", "DEVICE_ENROL", "DEVICE_OFFLINE",
                "DEVICE_ONLINE");
    }

    static int alarms(String mac, String state) {
        return Api.admin().queryParam("state", state).queryParam("key", "device.OFFLINE:" + mac)
                .get("/api/v1/alarms").then().statusCode(200).extract().jsonPath().getInt("total");
    }

    /** RFB 3.8 up to SecurityResult with VNC Authentication: 0 = accepted. */
    static int vncHandshake(String host, int port, String password) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5000);
            s.setSoTimeout(5000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            in.readFully(new byte[12]);
            out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
            byte[] types = new byte[in.readUnsignedByte()];
            in.readFully(types);
            assertThat(types).contains((byte) 2);
            out.write(2);
            byte[] challenge = new byte[16];
            in.readFully(challenge);
            out.write(VncAuth.response(challenge, password));
            return in.readInt();
        }
    }

    static byte[] random16() {
        byte[] b = new byte[16];
        new SecureRandom().nextBytes(b);
        return b;
    }
}
