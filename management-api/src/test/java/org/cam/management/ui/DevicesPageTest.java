package org.cam.management.ui;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.cam.management.support.Api;
import org.cam.simulator.Fleet;
import org.cam.simulator.SimulatorConfig;
import org.cam.simulator.device.SimDevice;
import org.cam.testsupport.browser.Chromium;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.cam.management.ui.Pages.awaitTrue;
import static org.cam.management.ui.Pages.check;
import static org.cam.management.ui.Pages.click;
import static org.cam.management.ui.Pages.fill;
import static org.cam.management.ui.Pages.js;
import static org.cam.management.ui.Pages.open;

/**
 * The Devices page in headless Chromium against two simulated devices (HTTPS and RFB on 127.0.96.x, with a seed and
 * addresses no other test uses, so the devices are new to the shared test database) that discovery reported: the
 * administrator approves one and rejects then forgets the other, and on the approved one turns a channel's power off
 * and on, renames a channel, installs firmware from the library while the page follows the job, and reboots it; each
 * step is checked in the API (and on the device). axe-core and a screenshot with the detail open.
 */
@QuarkusTest
class DevicesPageTest {
    private static final String FIRST = "127.0.96.1";
    private static final int HTTPS = 19743;

    @TestHTTPResource("/")
    URL root;

    static Chromium chrome;
    static Fleet fleet;

    @BeforeAll
    static void start() throws Exception {
        Path state = Files.createTempDirectory("cam-mgmt-devices-page");
        fleet = new Fleet(SimulatorConfig.parse("--count", "2", "--first-address", FIRST, "--channels", "2",
                "--https-port", String.valueOf(HTTPS), "--kvm-port", "15990", "--discovery", "manual", "--manager",
                "127.0.96.250:3080", "--tick-millis", "3600000", "--state-dir", state.toString(), "--seed", "96",
                "--name-prefix", "page", "--firmware-millis", "1500", "--reboot-millis", "500"));
        fleet.start(m -> { }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        chrome = Chromium.start(List.of());
        Files.createDirectories(Pages.SHOTS);
    }

    @AfterAll
    static void stop() throws Exception {
        if (chrome != null) {
            chrome.close();
        }
        if (fleet != null) {
            fleet.close();
        }
    }

    @Test
    void administratorApprovesRejectsForgetsPowersRenamesUpgradesAndReboots() throws Exception {
        SimDevice kept = fleet.members().get(0).device();
        SimDevice refused = fleet.members().get(1).device();
        long keptId = discovered(kept);
        long refusedId = discovered(refused);

        chrome.navigate(root.toString());
        Pages.login(chrome, "admin", Api.ADMIN_PASSWORD);
        awaitTrue(chrome, "document.getElementById('page').dataset.ready === 'mytargets'");
        open(chrome, "devices");

        // Approve one: the device is enrolled over its HTTPS API and its channels become targets.
        row(keptId, "button.approve");
        click(chrome, row(keptId) + " button.approve");
        await().atMost(Duration.ofSeconds(30)).until(() -> "MANAGED".equals(device(keptId).getString("state")));
        assertThat(device(keptId).getList("channels.targetId", Long.class)).hasSize(2).doesNotContain(0L);

        // Reject the other, then forget it (a confirmation).
        row(refusedId, "button.reject");
        click(chrome, row(refusedId) + " button.reject");
        await().atMost(Duration.ofSeconds(30)).until(() -> "REJECTED".equals(device(refusedId).getString("state")));
        row(refusedId, "button.forget");
        click(chrome, row(refusedId) + " button.forget");
        fill(chrome, Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> Api.admin().get("/api/v1/devices/" + refusedId)
                .statusCode() == 404);

        // The approved one's detail: channel power off and on, as the device reports it.
        row(keptId, "button.details");
        click(chrome, row(keptId) + " button.details");
        awaitTrue(chrome, "document.querySelector('#channels-table tr[data-channel=\"1\"] button.power-off') !== null");
        click(chrome, "#channels-table tr[data-channel=\"1\"] button.power-off");
        await().atMost(Duration.ofSeconds(30)).until(() -> "off".equals(channel(keptId, 1, "power")));
        assertThat(kept.channel(1).powered()).isFalse();
        awaitTrue(chrome, "document.querySelector('#channels-table tr[data-channel=\"1\"]').textContent.includes('off')");
        click(chrome, "#channels-table tr[data-channel=\"1\"] button.power-on");
        await().atMost(Duration.ofSeconds(30)).until(() -> "on".equals(channel(keptId, 1, "power")));

        // Rename channel 2: its target's name.
        String name = Api.unique("page-web");
        awaitTrue(chrome, "document.querySelector('#channels-table tr[data-channel=\"2\"] button.rename') !== null");
        click(chrome, "#channels-table tr[data-channel=\"2\"] button.rename");
        fill(chrome, Map.of("name", name));
        long target2 = Long.parseLong(channel(keptId, 2, "targetId"));
        await().atMost(Duration.ofSeconds(30)).until(() -> name.equals(Api.admin().get("/api/v1/targets/" + target2)
                .jsonPath().getString("name")));

        // Power cycle channel 1: the device switches it off and on again, and the audit says so.
        click(chrome, "#channels-table tr[data-channel=\"1\"] button.power-cycle");
        await().atMost(Duration.ofSeconds(30)).until(() -> Api.admin().queryParam("action", "CHANNEL_POWER")
                .queryParam("objectId", kept.identity().mac().toString()).get("/api/v1/audit-events").jsonPath()
                .getList("items.details", String.class).stream().anyMatch(d -> d.contains("channel 1 cycle")));
        await().atMost(Duration.ofSeconds(30)).until(() -> kept.channel(1).powered());

        // Configuration push: a new device name, applied on the device and shown by management-api.
        String deviceName = Api.unique("page-dev");
        awaitTrue(chrome, "document.querySelector('#device-detail button.configure') !== null");
        click(chrome, "#device-detail button.configure");
        fill(chrome, Map.of("name", deviceName));
        await().atMost(Duration.ofSeconds(30)).until(() -> deviceName.equals(kept.name()));
        await().atMost(Duration.ofSeconds(30)).until(() -> deviceName.equals(device(keptId).getString("name")));
        await().atMost(Duration.ofSeconds(30)).until(() -> device(keptId).getString("operation") == null);

        // Firmware from the library; the page follows the job to DONE and the device reports the version.
        Path library = Path.of(ConfigProvider.getConfig().getValue("cam.management.devices.firmware-directory",
                String.class));
        Files.createDirectories(library);
        String image = Api.unique("page-fw") + "-3.0.1.bin";
        Files.write(library.resolve(image), ("CAM-SIM firmware 3.0.1 " + System.nanoTime()).repeat(2048)
                .getBytes(StandardCharsets.UTF_8));
        awaitTrue(chrome, "document.querySelector('#device-detail button.upgrade') !== null");
        click(chrome, "#device-detail button.upgrade");
        awaitTrue(chrome, "(() => { const s = document.querySelector('dialog[open] [name=image]');"
                + " return s !== null && [...s.options].some(o => o.value === " + js(image) + "); })()");
        fill(chrome, Map.of("image", image, "version", "3.0.1"));
        awaitTrue(chrome, "[...document.querySelectorAll('#firmware-jobs li[data-state=DONE]')]"
                + ".some(li => li.textContent.includes(" + js(image) + ") && li.querySelector('progress').value === 100)");
        assertThat(kept.firmware()).isEqualTo("3.0.1");
        await().atMost(Duration.ofSeconds(30)).until(() -> "3.0.1".equals(device(keptId).getString("firmwareVersion")));
        // and the page shows it without a manual refresh, in the list and in the detail's heading
        awaitTrue(chrome, "document.querySelector('" + row(keptId) + "').textContent.includes('3.0.1')"
                + " && document.querySelector('#device-detail h3').textContent.includes('firmware 3.0.1')");
        check(chrome, "devices-detail");

        // Reboot (a confirmation): the device boots again, and the audit names who asked.
        long boots = kept.bootCounter();
        row(keptId, "button.reboot");
        click(chrome, row(keptId) + " button.reboot");
        fill(chrome, Map.of());
        await().atMost(Duration.ofSeconds(30)).until(() -> kept.bootCounter() > boots);
        assertThat(Api.admin().queryParam("action", "DEVICE_REBOOT").queryParam("objectId",
                kept.identity().mac().toString()).get("/api/v1/audit-events").jsonPath().getList("items.actor"))
                .contains("admin");

        assertThat(chrome.cspViolations()).as("nothing the page does is blocked by the policy").isEqualTo("[]");
        assertThat(chrome.evalString("document.getElementById('messages').textContent")).doesNotContain("500");
    }

    private static String row(long deviceId) {
        return "#devices-table tr[data-device-id=\"" + deviceId + "\"]";
    }

    /**
     * Searches the list for the device (by its MAC: in a full test run the database holds more devices than one
     * page) until its row has the button (the list reloads after each action).
     */
    private static void row(long deviceId, String button) {
        String mac = device(deviceId).getString("mac");
        awaitTrue(chrome, "(() => { if (document.querySelector('" + row(deviceId) + " " + button + "')) { return true; }"
                + " document.querySelector('#devices-f-q').value = '" + mac + "';"
                + " document.querySelector('#devices form[role=search]').requestSubmit(); return false; })()");
    }

    /** The discovery notice of a device, as discovery-service forwards it; its id in management-api. */
    private static long discovered(SimDevice d) {
        Map<String, Object> n = new HashMap<>();
        n.put("deviceId", d.identity().mac().toString());
        n.put("version", System.currentTimeMillis() * 1000);
        n.put("serial", d.identity().serial());
        n.put("model", d.identity().model());
        n.put("firmwareVersion", d.firmware());
        n.put("name", d.name());
        n.put("address", d.address().getHostAddress());
        n.put("httpsPort", HTTPS);
        n.put("kvmPortFirst", d.kvmFirstPort());
        n.put("kvmPortLast", d.kvmFirstPort() + 1);
        n.put("channelCount", 2);
        n.put("bootCounter", d.bootCounter());
        n.put("certificateFingerprint", d.certificate().fingerprintHex());
        n.put("sourceAddress", d.address().getHostAddress());
        n.put("heardVia", "SCAN_REPLY");
        n.put("firstSeen", Instant.now().toString());
        n.put("lastSeen", Instant.now().toString());
        given().auth().oauth2("test-discovery-token").contentType("application/json").body(n)
                .post("/api/v1/internal/discoveries").then().statusCode(200);
        return Api.admin().queryParam("q", d.identity().mac().toString()).get("/api/v1/devices").then()
                .statusCode(200).extract().jsonPath().getLong("items[0].id");
    }

    private static JsonPath device(long id) {
        return Api.admin().get("/api/v1/devices/" + id).then().statusCode(200).extract().jsonPath();
    }

    private static String channel(long deviceId, int channel, String field) {
        return device(deviceId).getString("channels.find { it.channel == " + channel + " }." + field);
    }
}
