package org.cam.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import org.cam.testsupport.Packages;
import org.cam.testsupport.rfb.RfbTestClient;
import org.cam.testsupport.rfb.VncPasswordFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.cam.systemtests.SuiteStack.DEMO_PASSWORD;
import static org.cam.systemtests.SuiteStack.body;
import static org.cam.systemtests.SuiteStack.items;

/**
 * The packaged services as a user meets them: one simulated device, management-api and session-broker run as
 * processes from the reactor's jars ({@link SuiteStack}), on the shared MariaDB (a database of their own) and slapd.
 * A device is discovered and approved, its channels granted to an LDAP group, and an LDAP user of that group opens a
 * session that a stock VNC client (vncsnapshot) uses through the broker with the one-time password.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SessionEndToEndIT {
    private static final String DEVICE_ADDRESS = "127.0.77.1";
    private static final int DEVICE_KVM = 15900;
    private static final String USER = "uma";

    // Not BrowserConsoleIT's (127.0.78.1, 19543, 15930, cam_e2e_ui): both may run in one build.
    @RegisterExtension
    static final SuiteStack STACK = new SuiteStack(new SuiteStack.Spec("e2e", DEVICE_ADDRESS, 19443, DEVICE_KVM, 3,
            "cam_e2e", List.of()));

    // Facts the ordered steps hand on.
    private static final List<Long> targetIds = new ArrayList<>();
    private static String controlSessionId;

    @BeforeAll
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    static void startServices() throws Exception {
        STACK.start();
    }

    @Test
    @Order(1)
    void discoveredDeviceIsApprovedAndItsThreeChannelsBecomeTargets() throws Exception {
        String deviceMac = STACK.reportDiscovery();
        JsonNode found = items(STACK.json(STACK.admin("/api/v1/devices?q=" + deviceMac).GET(), 200));
        assertThat(found).hasSize(1);
        long deviceId = found.get(0).path("id").asLong();
        assertThat(found.get(0).path("state").asText()).isEqualTo("DISCOVERED");

        targetIds.addAll(STACK.approve(deviceId));
        assertThat(targetIds).hasSize(3).doesNotContain(0L);
        for (int c = 0; c < 3; c++) {
            JsonNode target = STACK.json(STACK.admin("/api/v1/targets/" + targetIds.get(c)).GET(), 200);
            assertThat(target.path("host").asText()).isEqualTo(DEVICE_ADDRESS);
            assertThat(target.path("port").asInt()).isBetween(DEVICE_KVM, DEVICE_KVM + 2);
        }
    }

    @Test
    @Order(2)
    void ldapGroupIsGrantedFullControlOnATargetSet() throws Exception {
        assertThat(targetIds).as("targets from the previous step").hasSize(3);
        // Before the grant uma sees nothing.
        assertThat(items(STACK.json(STACK.as(USER, DEMO_PASSWORD, "/api/v1/me/targets").GET(), 200))).isEmpty();

        STACK.grant("cam-users", targetIds, "FULL_CONTROL");

        JsonNode mine = items(STACK.json(STACK.as(USER, DEMO_PASSWORD, "/api/v1/me/targets").GET(), 200));
        List<Long> visible = new ArrayList<>();
        mine.forEach(t -> visible.add(t.path("id").asLong()));
        assertThat(visible).containsExactlyInAnyOrderElementsOf(targetIds);
    }

    @Test
    @Order(3)
    void userOpensASessionAndAStockVncClientSeesTheDeviceThroughTheBroker() throws Exception {
        Packages.ensure("vncsnapshot=vncsnapshot");
        JsonNode opened = STACK.json(STACK.as(USER, DEMO_PASSWORD, "/api/v1/sessions")
                .POST(body(Map.of("targetId", targetIds.get(0), "mode", "control"))), 201);
        controlSessionId = opened.path("sessionId").asText();
        assertThat(controlSessionId).isNotBlank();
        assertThat(opened.path("ticket").asText()).isNotBlank();
        assertThat(opened.path("rfb").asText()).isEqualTo("127.0.0.1:" + STACK.brokerPlainPort());
        assertThat(opened.path("websocketUrl").asText()).startsWith("wss://127.0.0.1:");
        String password = opened.path("vncPassword").asText();
        assertThat(password).hasSize(8);

        Path passwd = vncpasswd(password);
        Path image = STACK.work().resolve("channel1.jpg");
        SnapshotResult first = vncsnapshot(passwd, image);
        assertThat(first.exit).as(first.log).isZero();
        BufferedImage img = ImageIO.read(image.toFile());
        assertThat(img.getWidth()).isEqualTo(1024);
        assertThat(img.getHeight()).isEqualTo(768);

        // The password was for one session: it is spent now.
        Path again = STACK.work().resolve("again.jpg");
        SnapshotResult second = vncsnapshot(passwd, again);
        assertThat(second.exit).as(second.log).isNotZero();
        assertThat(again).doesNotExist();

        // vncsnapshot has gone: the broker reports the end with byte counts.
        JsonNode ended = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> STACK.json(STACK.as(USER, DEMO_PASSWORD, "/api/v1/sessions/" + controlSessionId)
                        .GET(), 200), s -> "ENDED".equals(s.path("state").asText()));
        assertThat(ended.path("user").asText()).isEqualTo(USER);
        assertThat(ended.path("mode").asText()).isEqualToIgnoringCase("control");
        assertThat(ended.path("bytesFromDevice").asLong()).as("a 1024x768 screen went through")
                .isGreaterThan(10_000);
        assertThat(ended.path("bytesFromClient").asLong()).isPositive();

        List<String> mine = new ArrayList<>();
        items(STACK.json(STACK.as(USER, DEMO_PASSWORD, "/api/v1/sessions").GET(), 200))
                .forEach(s -> mine.add(s.path("id").asText()));
        assertThat(mine).contains(controlSessionId);
    }

    @Test
    @Order(4)
    void viewSessionKeysAreDroppedWhileTheControllersKeysReachTheDevice() throws Exception {
        // Channel 2, not yet typed on: its "keys:" line is empty.
        long target = targetIds.get(1);
        String viewPassword = STACK.json(STACK.as(USER, DEMO_PASSWORD, "/api/v1/sessions")
                .POST(body(Map.of("targetId", target, "mode", "view"))), 201).path("vncPassword").asText();
        try (RfbTestClient viewer = RfbTestClient.tcp("127.0.0.1", STACK.brokerPlainPort()).open(viewPassword, true)) {
            assertThat(viewer.width()).isEqualTo(1024);
            int baseline = keysLineInkEnd(viewer.refresh(), viewer.width());
            assertThat(baseline).as("the 'keys:' label is drawn").isPositive();
            for (int i = 0; i < 5; i++) {
                viewer.typeKey('x');
            }
            // Same connection, in order: had the keys been forwarded, the device would have drawn them already.
            assertThat(keysLineInkEnd(viewer.refresh(), viewer.width())).as("view-only keys changed nothing")
                    .isEqualTo(baseline);

            String controlPassword = STACK.json(STACK.as(USER, DEMO_PASSWORD, "/api/v1/sessions")
                    .POST(body(Map.of("targetId", target, "mode", "control"))), 201).path("vncPassword").asText();
            try (RfbTestClient controller = RfbTestClient.tcp("127.0.0.1", STACK.brokerPlainPort()).open(controlPassword, true)) {
                controller.typeKey('1');
                int afterOne = keysLineInkEnd(controller.refresh(), controller.width());
                controller.typeKey('1');
                int afterTwo = keysLineInkEnd(controller.refresh(), controller.width());
                int advance = afterTwo - afterOne;
                assertThat(advance).as("one monospaced character").isPositive();
                // "keys:" + two spaces + "1": about three characters past the label, not eight (five x's and "1").
                assertThat(afterOne - baseline).isBetween(2 * advance, 4 * advance - 1);
                // And the viewer sees the controller's typing.
                assertThat(keysLineInkEnd(viewer.refresh(), viewer.width())).isEqualTo(afterTwo);
            }
        }
    }

    @Test
    @Order(5)
    void auditLogRecordsTheSessionLifecycle() throws Exception {
        assertThat(controlSessionId).as("session from step 3").isNotNull();
        JsonNode events = STACK.json(STACK.admin("/api/v1/audit-events?objectId=" + controlSessionId + "&size=100")
                .GET(), 200);
        List<String> actions = new ArrayList<>();
        for (JsonNode e : items(events)) {
            actions.add(e.path("action").asText() + "/" + e.path("outcome").asText());
        }
        assertThat(actions).contains("SESSION_REQUEST/SUCCESS", "SESSION_CLAIM/SUCCESS", "SESSION_END/SUCCESS");
        JsonNode requests = items(STACK.json(STACK.admin("/api/v1/audit-events?action=SESSION_REQUEST&objectId="
                + controlSessionId).GET(), 200));
        assertThat(requests.get(0).path("actor").asText()).isEqualTo(USER);
        JsonNode approvals = items(STACK.json(STACK.admin("/api/v1/audit-events?action=DEVICE_APPROVE").GET(), 200));
        assertThat(approvals.size()).isPositive();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** Rightmost column with the keys line's colour (0x06d6a0) in rows 236..268, or -1. */
    private static int keysLineInkEnd(int[] fb, int width) {
        int end = -1;
        for (int y = 236; y <= 268; y++) {
            for (int x = 0; x < width; x++) {
                int p = fb[y * width + x];
                int r = p >> 16 & 0xff;
                int g = p >> 8 & 0xff;
                int b = p & 0xff;
                if (Math.abs(r - 0x06) < 24 && Math.abs(g - 0xd6) < 24 && Math.abs(b - 0xa0) < 24 && x > end) {
                    end = x;
                }
            }
        }
        return end;
    }

    private record SnapshotResult(int exit, String log) { }

    private static SnapshotResult vncsnapshot(Path passwd, Path out) throws Exception {
        Process p = new ProcessBuilder("vncsnapshot", "-quiet", "-passwd", passwd.toString(),
                "127.0.0.1::" + STACK.brokerPlainPort(), out.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("vncsnapshot finished").isTrue();
        return new SnapshotResult(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private static Path vncpasswd(String password) throws Exception {
        return VncPasswordFile.write(STACK.work().resolve("passwd"), password);
    }
}
