package org.cam.management.device;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import org.cam.management.support.Api;
import org.cam.protocol.rfb.VncAuth;
import org.cam.simulator.Fleet;
import org.cam.simulator.SimulatorConfig;
import org.cam.simulator.device.SimDevice;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Operations on managed devices against real simulated devices (HTTPS and RFB on 127.0.94.x): configuration
 * pushes (the targets read "Updating device" while the device applies them), firmware upgrades from the library,
 * reboots, channel power, one operation at a time, and Busy on a device behind a KVM switch (from our own sessions
 * at once, and from the viewers the device reports).
 */
@QuarkusTest
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeviceOperationsTest {
    static final String FIRST = "127.0.94.1";
    static final String SWITCHED = "127.0.94.2";
    static final String BROKER = "test-broker-token";
    static Fleet fleet;
    static Path stateDir;

    @BeforeAll
    static void startDevices() throws Exception {
        stateDir = Files.createTempDirectory("cam-mgmt-ops");
        // Applying a configuration takes 1.5 s and writing firmware 1.5 s, so the "Updating device" status is seen.
        fleet = new Fleet(SimulatorConfig.parse("--count", "2", "--first-address", FIRST, "--channels", "3",
                "--https-port", "19643", "--kvm-port", "15960", "--discovery", "manual", "--manager",
                "127.0.94.250:3080", "--tick-millis", "3600000", "--state-dir", stateDir.toString(), "--seed", "94",
                "--name-prefix", "ops", "--switch-attached", "1", "--config-millis", "1500",
                "--firmware-millis", "1500", "--reboot-millis", "500"));
        fleet.start(m -> { }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
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

    static long enrolled(SimDevice d) {
        DeviceEnrolmentTest.post(DeviceEnrolmentTest.notice(d, DeviceEnrolmentTest.VERSION.incrementAndGet(),
                d.certificate().fingerprintHex())).then().statusCode(200);
        long id = DeviceEnrolmentTest.deviceId(d);
        if (!"MANAGED".equals(DeviceEnrolmentTest.deviceView(id).getString("state"))) {
            Api.admin().post("/api/v1/devices/" + id + "/approve").then().statusCode(200);
        }
        return id;
    }

    static JsonPath targetOf(SimDevice d, long deviceId, int channel) {
        long targetId = DeviceEnrolmentTest.deviceView(deviceId).getLong("channels.find { it.channel == " + channel
                + " }.targetId");
        return Api.admin().get("/api/v1/targets/" + targetId).then().statusCode(200).extract().jsonPath();
    }

    static String status(SimDevice d, long deviceId, int channel) {
        return targetOf(d, deviceId, channel).getString("status");
    }

    static List<Map<String, Object>> audit(String action, String mac) {
        return Api.admin().queryParam("action", action).queryParam("objectId", mac).get("/api/v1/audit-events")
                .then().statusCode(200).extract().jsonPath().getList("items");
    }

    @Test
    @Order(1)
    void configurationIsPushedAndTheTargetsShowUpdatingDeviceMeanwhile() {
        SimDevice d = device(0);
        long id = enrolled(d);
        String mac = d.identity().mac().toString();
        await().atMost(Duration.ofSeconds(10)).until(() -> status(d, id, 1).equals("AVAILABLE"));
        String newName = Api.unique("rack-7");
        String web = Api.unique("web");
        // The device applies the change only when the checks below are done, however slow this machine is.
        Runnable applyNow = d.holdConfigurations();
        CompletableFuture<Response> push = CompletableFuture.supplyAsync(() -> Api.admin()
                .body(Map.of("name", newName, "channels", List.of(Map.of("channel", 1, "name", web))))
                .put("/api/v1/devices/" + id + "/configuration"));
        await().atMost(Duration.ofSeconds(30)).until(() -> status(d, id, 1).equals("UPDATING_DEVICE"));
        assertThat(targetOf(d, id, 2).getString("statusText")).isEqualTo("Updating device");
        // one operation at a time
        Api.admin().post("/api/v1/devices/" + id + "/reboot").then().statusCode(409)
                .body("field", org.hamcrest.Matchers.equalTo("operation"));
        Api.admin().post("/api/v1/devices/" + id + "/approve").then().statusCode(409)   // re-enrolment too
                .body("field", org.hamcrest.Matchers.equalTo("operation"));
        // and a session cannot start on a device being changed
        long target1 = targetOf(d, id, 1).getLong("id");
        Api.admin().body(Map.of("targetId", target1, "mode", "control")).post("/api/v1/sessions").then()
                .statusCode(409);

        applyNow.run();
        Response done = push.join();
        assertThat(done.statusCode()).as(done.asString()).isEqualTo(200);
        assertThat(done.jsonPath().getString("name")).isEqualTo(newName);
        assertThat(done.jsonPath().getString("operation")).isNull();
        assertThat(d.name()).isEqualTo(newName);
        assertThat(d.channel(1).name()).isEqualTo(web);
        assertThat(targetOf(d, id, 1).getString("name")).isEqualTo(web);
        assertThat(status(d, id, 1)).isEqualTo("AVAILABLE");
        assertThat(audit("DEVICE_CONFIGURE", mac)).anySatisfy(a -> {
            assertThat(a.get("actor")).isEqualTo("admin");
            assertThat(a.get("outcome")).isEqualTo("SUCCESS");
            assertThat((String) a.get("details")).contains(web);
        });
    }

    @Test
    @Order(2)
    void badConfigurationIsRefusedBeforeAnythingIsPushed() {
        SimDevice d = device(0);
        long id = enrolled(d);
        String before = d.channel(2).name();
        Api.admin().body(Map.of("channels", List.of(Map.of("channel", 9, "name", "x")))).put("/api/v1/devices/" + id
                + "/configuration").then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo(
                "channels[0].channel"));
        Api.admin().body(Map.of("channels", List.of(Map.of("channel", 2, "name", " "))))
                .put("/api/v1/devices/" + id + "/configuration").then().statusCode(400)
                .body("field", org.hamcrest.Matchers.containsString("name"));
        Api.admin().body(Map.of()).put("/api/v1/devices/" + id + "/configuration").then().statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("channels"));
        String taken = targetOf(d, id, 1).getString("name");
        Api.admin().body(Map.of("channels", List.of(Map.of("channel", 2, "name", taken))))
                .put("/api/v1/devices/" + id + "/configuration").then().statusCode(409)
                .body("field", org.hamcrest.Matchers.equalTo("channels[0].name"));
        Api.admin().body("{\"channels\": 7}").put("/api/v1/devices/" + id + "/configuration").then().statusCode(400);
        Api.admin().body(Map.of("name", "x")).put("/api/v1/devices/999999999/configuration").then().statusCode(404);
        Api.demo("uma").body(Map.of("name", "x")).put("/api/v1/devices/" + id + "/configuration").then()
                .statusCode(403);
        assertThat(d.channel(2).name()).isEqualTo(before);
        assertThat(DeviceEnrolmentTest.deviceView(id).getString("operation")).isNull();
    }

    @Test
    @Order(3)
    void firmwareFromTheLibraryIsInstalledAndFollowedToTheNewVersion() throws Exception {
        SimDevice d = device(0);
        long id = enrolled(d);
        String mac = d.identity().mac().toString();
        Path library = Path.of(ConfigProvider.getConfig().getValue("cam.management.devices.firmware-directory",
                String.class));
        Files.createDirectories(library);
        byte[] image = ("CAM-SIM firmware 2.1.0 " + System.nanoTime()).repeat(4096).getBytes(StandardCharsets.UTF_8);
        String file = Api.unique("cam-sim") + "-2.1.0.bin";
        Files.write(library.resolve(file), image);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));

        JsonPath listed = Api.admin().get("/api/v1/firmware").then().statusCode(200).extract().jsonPath();
        assertThat(listed.getString("find { it.name == '" + file + "' }.sha256")).isEqualTo(sha);
        assertThat(listed.getLong("find { it.name == '" + file + "' }.sizeBytes")).isEqualTo(image.length);

        Api.admin().body(Map.of("image", file, "version", "2.1.0", "sha256", "0".repeat(64)))
                .post("/api/v1/devices/" + id + "/firmware").then().statusCode(422)
                .body("field", org.hamcrest.Matchers.equalTo("sha256"));
        Api.admin().body(Map.of("image", "nope.bin", "version", "2.1.0")).post("/api/v1/devices/" + id + "/firmware")
                .then().statusCode(404).body("field", org.hamcrest.Matchers.equalTo("image"));
        Api.admin().body(Map.of("image", "../../etc/passwd", "version", "2.1.0"))
                .post("/api/v1/devices/" + id + "/firmware").then().statusCode(400)
                .body("field", org.hamcrest.Matchers.equalTo("image"));
        Api.admin().body(Map.of("image", file, "version", "2.1.0 beta")).post("/api/v1/devices/" + id + "/firmware")
                .then().statusCode(400).body("field", org.hamcrest.Matchers.containsString("version"));
        assertThat(d.firmware()).isEqualTo(SimDevice.INITIAL_FIRMWARE);

        long boots = d.bootCounter();
        JsonPath job = Api.admin().body(Map.of("image", file, "version", "2.1.0", "sha256", sha.toUpperCase()))
                .post("/api/v1/devices/" + id + "/firmware").then().statusCode(202).extract().jsonPath();
        long jobId = job.getLong("id");
        assertThat(job.getString("state")).isEqualTo("WRITING");
        assertThat(job.getString("requestedBy")).isEqualTo("admin");
        assertThat(status(d, id, 3)).isEqualTo("UPDATING_DEVICE");

        await().atMost(Duration.ofSeconds(30)).until(() -> "DONE".equals(Api.admin()
                .get("/api/v1/devices/" + id + "/firmware").then().statusCode(200).extract().jsonPath()
                .getString("find { it.id == " + jobId + " }.state")));
        assertThat(d.firmware()).isEqualTo("2.1.0");
        assertThat(d.bootCounter()).isGreaterThan(boots);
        JsonPath view = DeviceEnrolmentTest.deviceView(id);
        assertThat(view.getString("firmwareVersion")).isEqualTo("2.1.0");
        assertThat(view.getString("operation")).isNull();
        assertThat(view.getString("status")).isEqualTo("ONLINE");
        assertThat(status(d, id, 3)).isEqualTo("AVAILABLE");
        assertThat(audit("FIRMWARE_UPGRADED", mac)).anySatisfy(a -> assertThat(a.get("outcome"))
                .isEqualTo("SUCCESS"));
    }

    @Test
    @Order(4)
    void rebootEndsWhenTheDeviceRunsAgain() {
        SimDevice d = device(0);
        long id = enrolled(d);
        long boots = d.bootCounter();
        JsonPath accepted = Api.admin().post("/api/v1/devices/" + id + "/reboot").then().statusCode(202).extract()
                .jsonPath();
        assertThat(accepted.getString("operation")).isEqualTo("REBOOTING");
        await().atMost(Duration.ofSeconds(20)).until(() -> DeviceEnrolmentTest.deviceView(id).getString("operation")
                == null);
        JsonPath view = DeviceEnrolmentTest.deviceView(id);
        assertThat(view.getLong("bootCounter")).isGreaterThan(boots);
        assertThat(view.getString("status")).isEqualTo("ONLINE");
        assertThat(audit("DEVICE_REBOOTED", d.identity().mac().toString())).isNotEmpty();
        assertThat(view.getList("channels")).hasSize(3);
    }

    @Test
    @Order(5)
    void channelPowerOffMakesTheTargetUnavailable() {
        SimDevice d = device(0);
        long id = enrolled(d);
        Api.admin().body(Map.of("action", "dim")).post("/api/v1/devices/" + id + "/channels/2/power").then()
                .statusCode(400).body("field", org.hamcrest.Matchers.containsString("action"));
        Api.admin().body(Map.of("action", "off")).post("/api/v1/devices/" + id + "/channels/7/power").then()
                .statusCode(400).body("field", org.hamcrest.Matchers.equalTo("channel"));
        JsonPath off = Api.admin().body(Map.of("action", "off")).post("/api/v1/devices/" + id + "/channels/2/power")
                .then().statusCode(200).extract().jsonPath();
        assertThat(off.getString("channels.find { it.channel == 2 }.power")).isEqualTo("off");
        assertThat(d.channel(2).powered()).isFalse();
        assertThat(status(d, id, 2)).isEqualTo("UNAVAILABLE");
        long target2 = targetOf(d, id, 2).getLong("id");
        Api.admin().body(Map.of("targetId", target2, "mode", "control")).post("/api/v1/sessions").then()
                .statusCode(409);
        Api.admin().body(Map.of("action", "on")).post("/api/v1/devices/" + id + "/channels/2/power").then()
                .statusCode(200);
        assertThat(d.channel(2).powered()).isTrue();
        assertThat(status(d, id, 2)).isEqualTo("AVAILABLE");
        assertThat(audit("CHANNEL_POWER", d.identity().mac().toString())).hasSizeGreaterThanOrEqualTo(2);
    }

    /**
     * A poll that asked for the device's status before an operator switched a channel off, and is answered after,
     * must not switch the channel back on in CAM's view (the device holds the poll's answer until the switch is
     * done; polls after it stay held so none can correct the view before it is checked).
     */
    @Test
    @Order(5)
    void aStatusReadBeforeAPowerSwitchDoesNotUndoIt() {
        SimDevice d = device(0);
        long id = enrolled(d);
        Api.admin().body(Map.of("action", "on")).post("/api/v1/devices/" + id + "/channels/3/power").then()
                .statusCode(200);
        SimDevice.StatusHold hold = d.holdStatusAnswers();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> hold.asked().isDone());
            Api.admin().body(Map.of("action", "off")).post("/api/v1/devices/" + id + "/channels/3/power").then()
                    .statusCode(200);
            assertThat(d.channel(3).powered()).isFalse();
            String before = DeviceEnrolmentTest.deviceView(id).getString("lastPollAt");
            hold.answerHeld();   // the status read while channel 3 was still on
            await().atMost(Duration.ofSeconds(10)).until(() -> !Objects.equals(before,
                    DeviceEnrolmentTest.deviceView(id).getString("lastPollAt")));
            assertThat(DeviceEnrolmentTest.deviceView(id).getString("channels.find { it.channel == 3 }.power"))
                    .isEqualTo("off");
            assertThat(status(d, id, 3)).isEqualTo("UNAVAILABLE");
        } finally {
            d.releaseStatusAnswers();
        }
        Api.admin().body(Map.of("action", "on")).post("/api/v1/devices/" + id + "/channels/3/power").then()
                .statusCode(200);
    }

    /**
     * Behind a KVM switch: a session on channel 1 makes channels 2 and 3 Busy at once (our own ACTIVE session);
     * when it ends but somebody still views channel 1 at the device, the device's report keeps them Busy; when
     * the viewer leaves they are Available again.
     */
    @Test
    @Order(6)
    void aSwitchAttachedDeviceShowsItsOtherChannelsBusy() throws Exception {
        SimDevice d = device(1);
        long id = enrolled(d);
        await().atMost(Duration.ofSeconds(10)).until(() -> DeviceEnrolmentTest.deviceView(id)
                .getBoolean("switchAttached"));
        long t1 = targetOf(d, id, 1).getLong("id");
        long t2 = targetOf(d, id, 2).getLong("id");
        assertThat(status(d, id, 2)).isEqualTo("AVAILABLE");

        String session = Api.admin().body(Map.of("targetId", t1, "mode", "control")).post("/api/v1/sessions").then()
                .statusCode(201).extract().jsonPath().getString("sessionId");
        String credential = given().auth().oauth2(BROKER).contentType("application/json")
                .body(Map.of("brokerId", "broker-ops")).post("/api/v1/internal/sessions/" + session + "/claim")
                .then().statusCode(200).extract().jsonPath().getString("device.password");
        assertThat(status(d, id, 2)).isEqualTo("BUSY");
        assertThat(targetOf(d, id, 3).getString("statusText")).isEqualTo("Busy");
        assertThat(status(d, id, 1)).isEqualTo("REMOTE_ACTIVE_SESSION");
        Api.admin().body(Map.of("targetId", t2, "mode", "view")).post("/api/v1/sessions").then().statusCode(409)
                .body("detail", org.hamcrest.Matchers.containsStringIgnoringCase("busy"));

        try (Socket viewer = viewer(SWITCHED, 15960, credential)) {
            given().auth().oauth2(BROKER).contentType("application/json")
                    .body(Map.of("brokerId", "broker-ops", "reason", "client_closed"))
                    .post("/api/v1/internal/sessions/" + session + "/end").then().statusCode(204);
            await().atMost(Duration.ofSeconds(10)).until(() -> DeviceEnrolmentTest.deviceView(id)
                    .getInt("channels.find { it.channel == 1 }.sessions") == 1);
            assertThat(status(d, id, 2)).isEqualTo("BUSY");
            assertThat(status(d, id, 1)).isEqualTo("AVAILABLE");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> status(d, id, 2).equals("AVAILABLE"));
    }

    /** A viewer past ClientInit on a channel with VNC Authentication; the device counts it in its status. */
    static Socket viewer(String host, int port, String password) throws Exception {
        Socket s = new Socket();
        s.connect(new InetSocketAddress(host, port), 5000);
        s.setSoTimeout(5000);
        DataInputStream in = new DataInputStream(s.getInputStream());
        in.readFully(new byte[12]);
        s.getOutputStream().write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
        in.readFully(new byte[in.readUnsignedByte()]);
        s.getOutputStream().write(2);
        byte[] challenge = new byte[16];
        in.readFully(challenge);
        s.getOutputStream().write(VncAuth.response(challenge, password));
        assertThat(in.readInt()).as("VNC authentication result").isZero();
        s.getOutputStream().write(1);   // shared
        byte[] init = new byte[24];
        in.readFully(init);
        in.readFully(new byte[java.nio.ByteBuffer.wrap(init, 20, 4).getInt()]);
        return s;
    }
}
