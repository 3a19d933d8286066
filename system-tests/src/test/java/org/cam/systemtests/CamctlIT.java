package org.cam.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import org.cam.testsupport.Packages;
import org.cam.testsupport.x11.XDisplay;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.cam.systemtests.SuiteStack.DEMO_PASSWORD;
import static org.cam.systemtests.SuiteStack.body;

/**
 * camctl's shaded jar run as a user runs it, against the packaged management-api and a real replication-monitor:
 * every answer it reads went through a client generated from the committed OpenAPI documents (management-api's and
 * the monitor's), so this also proves the documents by use. Exit codes are the documented ones.
 *
 * <p>The monitor watches a MariaDB pair of this test's own (scripts/infra.sh, 27326/27327), not the shared pair
 * management-api runs on: the test switches it over, and the shared pair's primary must stay where every other test
 * in the build expects it (management-api connects to it directly, without the HAProxy entry point that follows a
 * switchover; FailoverDrillIT runs that set-up). The pair is made afresh each run.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CamctlIT {
    private static final String DEVICE_ADDRESS = "127.0.99.1";
    private static final String USER = "uma";
    /** More than one request's worth at the chunk size used below, so the listing must page. */
    private static final int PAGED_TARGETS = 45;
    private static final int CHUNK = 20;
    /** The monitor's pair (FailoverDrillIT's is 27306/27307, BrowserConsoleIT's 27316/27317). */
    private static final int NODE_A = 27326;
    private static final int NODE_B = 27327;
    /** The viewer's X display (InteropMatrixIT uses 40-42 and 60). */
    private static final int DISPLAY = 102;

    @RegisterExtension
    static final SuiteStack STACK = new SuiteStack(new SuiteStack.Spec("camctl", DEVICE_ADDRESS, 30443, 30900, 1,
            "cam_ctl", List.of("--seed", "99")));

    private static Path jar;
    private static Path adminConfig;
    private static Path userConfig;
    private static long deviceTargetId;
    private static String deviceTargetName;
    private static long grantId;
    private static Path infraDir;
    private static String monitorUrl;

    record Run(int code, String out, String err) {
        JsonNode json() throws Exception {
            return SuiteStack.JSON.readTree(out);
        }
    }

    @BeforeAll
    @Timeout(value = 12, unit = TimeUnit.MINUTES)
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("cam.root.dir", "..")).toAbsolutePath().normalize();
        jar = root.resolve("camctl").resolve(System.getProperty("cam.build.dir", "target")).resolve("camctl.jar");
        assertThat(jar).as("camctl packaged by the reactor before this module").isRegularFile();
        Path monitorJar = root.resolve("replication-monitor")
                .resolve(System.getProperty("cam.build.dir", "target")).resolve("quarkus-app/quarkus-run.jar");
        assertThat(monitorJar).as("packaged by the reactor before this module").isRegularFile();
        infraDir = root.resolve("system-tests").resolve(System.getProperty("cam.build.dir", "target"))
                .resolve("infra-ctl");
        infra("db-down", "--purge");   // a fresh pair: the last run switched it over
        infra("db-up");
        int monitorPort = SuiteStack.freePort();
        monitorUrl = "http://127.0.0.1:" + monitorPort;
        String token = STACK.spec.name() + "-replication-token";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // The test's own pair, no automatic failover: management-api forwards camctl to it, or camctl goes direct.
        ServiceProcess monitor = STACK.launchExtra("replication-monitor", Map.of(), List.of(java, "-Xmx192m",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + monitorPort,
                "-Dcam.replication.primary.host=127.0.0.1", "-Dcam.replication.primary.port=" + NODE_A,
                "-Dcam.replication.secondary.host=127.0.0.1", "-Dcam.replication.secondary.port=" + NODE_B,
                "-Dcam.replication.auto-failover.enabled=false",
                "-Dcam.replication.management-token=" + token,
                "-jar", monitorJar.toString()));
        STACK.managementEnv(Map.of("CAM_REPLICATION_MONITOR_URL", "http://127.0.0.1:" + monitorPort));
        STACK.start();
        STACK.awaitReady(monitor, "http://127.0.0.1:" + monitorPort + "/q/health/ready");
        adminConfig = STACK.work().resolve("camctl-admin/config");
        userConfig = STACK.work().resolve("camctl-uma/config");
    }

    /** camctl as a process: its own JVM, the config file of one user, standard input given. */
    private static Run camctl(Path config, String stdin, String... args) throws Exception {
        ProcessBuilder pb = camctlProcess(config, args);
        Path out = Files.createTempFile(STACK.work(), "camctl", ".out");
        Path err = Files.createTempFile(STACK.work(), "camctl", ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("camctl " + String.join(" ", args) + " finished").isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static ProcessBuilder camctlProcess(Path config, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("CAMCTL_CONFIG", config.toString());
        return pb;
    }

    private static void infra(String... args) throws Exception {
        new InfraScript(Path.of(System.getProperty("cam.root.dir", "..")).toAbsolutePath().normalize(), infraDir,
                NODE_A, NODE_B).run(args);
    }

    @AfterAll
    static void stopPair() throws Exception {
        if (infraDir != null) {
            infra("db-down");
        }
    }

    private static Run admin(String... args) throws Exception {
        return camctl(adminConfig, "", args);
    }

    private static Run ok(Run r) {
        assertThat(r.code()).as("exit code; stderr: " + r.err()).isZero();
        return r;
    }

    @Test
    @Order(1)
    void loginCachesTokensReadableOnlyByTheUserAndAWrongPasswordFails() throws Exception {
        Run wrong = camctl(adminConfig, "not-the-password\n", "login", STACK.managementUrl(), "-u", "admin",
                "--password-stdin", "--ca-file", STACK.managementCertificate().toString());
        assertThat(wrong.code()).isEqualTo(5);
        assertThat(wrong.err()).contains("Unauthorized (401)");
        assertThat(adminConfig).doesNotExist();

        // Without --ca-file the server's self-signed certificate is refused: nothing is trusted by default.
        Run untrusted = camctl(adminConfig, STACK.spec.adminPassword() + "\n", "login", STACK.managementUrl(),
                "-u", "admin", "--password-stdin");
        assertThat(untrusted.code()).isEqualTo(1);
        assertThat(untrusted.err()).contains("cannot reach the server");

        Run login = ok(camctl(adminConfig, STACK.spec.adminPassword() + "\n", "login", STACK.managementUrl(), "-u",
                "admin", "--password-stdin", "--ca-file", STACK.managementCertificate().toString()));
        assertThat(login.out()).contains("Logged in to " + STACK.managementUrl() + " as admin");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(adminConfig))).isEqualTo("rw-------");
        assertThat(Files.readString(adminConfig)).contains("refreshToken:").doesNotContain(STACK.spec.adminPassword());

        ok(camctl(userConfig, DEMO_PASSWORD + "\n", "login", STACK.managementUrl(), "-u", USER, "--password-stdin",
                "--ca-file", STACK.managementCertificate().toString()));
    }

    @Test
    @Order(2)
    void aDiscoveredDeviceIsApprovedWithCamctl() throws Exception {
        String mac = STACK.reportDiscovery();
        JsonNode found = ok(admin("get", "devices", "-q", mac, "-o", "json")).json();
        assertThat(found).hasSize(1);
        assertThat(found.get(0).path("state").asText()).isEqualTo("DISCOVERED");
        String id = found.get(0).path("id").asText();

        ok(admin("devices", "approve", id, "-o", "json"));
        JsonNode managed = await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500))
                .until(() -> ok(admin("describe", "device", id, "-o", "json")).json(),
                        d -> "MANAGED".equals(d.path("state").asText()));
        deviceTargetId = managed.path("channels").get(0).path("targetId").asLong();
        deviceTargetName = ok(admin("describe", "target", String.valueOf(deviceTargetId), "-o", "json")).json()
                .path("name").asText();
        assertThat(deviceTargetName).isNotBlank();
        // describe's default is YAML, kubectl's habit
        assertThat(ok(admin("describe", "device", id)).out()).contains("state: MANAGED\n", "deviceId: " + mac);
    }

    @Test
    @Order(3)
    void listsFetchEveryPage() throws Exception {
        StringBuilder manifest = new StringBuilder();
        for (int i = 0; i < PAGED_TARGETS; i++) {
            manifest.append(String.format("---%nkind: Target%nname: paged-%02d%nhost: 127.0.99.2%nport: %d%n", i, 5900 + i));
        }
        Path file = Files.writeString(STACK.work().resolve("paged.yaml"), manifest);
        Run created = ok(admin("create", "-f", file.toString()));
        assertThat(created.out().lines().filter(l -> l.matches("target/\\d+ created")).count())
                .isEqualTo(PAGED_TARGETS);
        JsonNode all = ok(admin("get", "targets", "-q", "paged-", "--chunk-size", String.valueOf(CHUNK), "-o",
                "json")).json();
        List<String> names = new ArrayList<>();
        all.forEach(t -> names.add(t.path("name").asText()));
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < PAGED_TARGETS; i++) {
            expected.add(String.format("paged-%02d", i));
        }
        assertThat(names).containsExactlyInAnyOrderElementsOf(expected);

        String table = ok(admin("get", "targets", "-q", "paged-", "--chunk-size", String.valueOf(CHUNK))).out();
        List<String> lines = table.lines().toList();
        assertThat(lines).hasSize(PAGED_TARGETS + 1);
        assertThat(lines.get(0)).startsWith("ID").contains("NAME", "HOST", "PORT", "POLICY", "STATUS");
        assertThat(table).contains("paged-44").contains("127.0.99.2");

        String yaml = ok(admin("get", "targets", "--selector", "policy=SHARED_VIEW", "-q", "paged-0", "-o", "yaml"))
                .out();
        assertThat(yaml.lines().filter(l -> l.startsWith("- id: ")).count()).isEqualTo(10);
    }

    @Test
    @Order(4)
    void aGrantIsCreatedFromYamlAndASecondOneForTheSameGroupAndSetIsAConflict() throws Exception {
        JsonNode dryRun = ok(admin("ldap", "sync", "--dry-run", "-o", "json")).json();
        assertThat(dryRun.path("dryRun").asBoolean()).isTrue();
        ok(admin("ldap", "sync"));
        // One file, kubectl style: the set with the device's target in it, then the grant naming group and set.
        Path file = Files.writeString(STACK.work().resolve("grant.yaml"), String.format("""
                kind: TargetSet
                name: camctl-lab
                description: the device's channel
                targets: [%s]
                ---
                kind: Grant
                group: cam-users
                targetSet: camctl-lab
                accessLevel: FULL_CONTROL
                clipboard: TO_TARGET
                """, deviceTargetName));
        JsonNode created = ok(admin("create", "-f", file.toString(), "-o", "json")).json();
        assertThat(created).hasSize(2);
        assertThat(created.get(0).path("name").asText()).isEqualTo("camctl-lab");
        assertThat(created.get(0).path("id").asLong()).isPositive();
        JsonNode grant = created.get(1);
        grantId = grant.path("id").asLong();
        assertThat(grantId).isPositive();
        assertThat(grant.path("groupName").asText()).isEqualTo("cam-users");
        assertThat(grant.path("targetSetName").asText()).isEqualTo("camctl-lab");
        assertThat(grant.path("accessLevel").asText()).isEqualTo("FULL_CONTROL");
        assertThat(grant.path("clipboard").asText()).isEqualTo("TO_TARGET");
        assertThat(ok(admin("describe", "targetset", created.get(0).path("id").asText(), "-o", "json")).json()
                .path("targetCount").asLong()).isEqualTo(1);

        String listed = ok(admin("get", "grants", "--selector", "groupId=" + grant.path("groupId").asLong())).out();
        assertThat(listed).contains("cam-users", "camctl-lab", "FULL_CONTROL", "TO_TARGET");

        Run again = admin("create", "grant", "--group", "cam-users", "--target-set", "camctl-lab", "--access",
                "view_only");
        assertThat(again.code()).as(again.err()).isEqualTo(4);
        assertThat(again.err()).startsWith("error: flags: Conflict (409)");
    }

    @Test
    @Order(5)
    void everyKindTheApiCreatesIsCreatedFromOneFileAndDeletedWithIt() throws Exception {
        Path file = Files.writeString(STACK.work().resolve("kinds.yaml"), """
                kind: Target
                name: camctl-web
                host: 127.0.99.3
                port: 5901
                accessPolicy: EXCLUSIVE
                locationTags: [rack-7]
                ---
                kind: TargetSet
                name: camctl-web-set
                targets: [camctl-web]
                ---
                kind: Group
                name: camctl-ops
                description: local group
                ---
                kind: User
                username: camctl-eve
                displayName: Eve
                password: camctl-Eve-pw1
                roles: [user]
                ---
                kind: Grant
                group: camctl-ops
                targetSet: camctl-web-set
                accessLevel: VIEW_ONLY
                ---
                kind: Assignment
                user: camctl-eve
                target: camctl-web
                accessLevel: FULL_CONTROL
                clipboard: NONE
                """);
        List<String> lines = ok(admin("create", "-f", file.toString())).out().lines().toList();
        assertThat(lines).hasSize(6);
        assertThat(lines.get(0)).matches("target/\\d+ created");
        assertThat(lines.get(1)).matches("targetset/\\d+ created");
        assertThat(lines.get(2)).matches("group/\\d+ created");
        assertThat(lines.get(3)).matches("user/\\d+ created");
        assertThat(lines.get(4)).matches("grant/\\d+ created");
        assertThat(lines.get(5)).matches("assignment/\\d+ created");
        String targetId = lines.get(0).replaceAll("\\D", "");
        JsonNode target = ok(admin("describe", "target", targetId, "-o", "json")).json();
        assertThat(target.path("accessPolicy").asText()).isEqualTo("EXCLUSIVE");
        assertThat(target.path("locationTags").get(0).asText()).isEqualTo("rack-7");
        JsonNode assignment = ok(admin("get", "assignments", "--selector", "targetId=" + targetId, "-o", "json"))
                .json();
        assertThat(assignment).hasSize(1);
        assertThat(assignment.get(0).path("username").asText()).isEqualTo("camctl-eve");
        // The new local user logs in with the password of the file.
        Path eveConfig = STACK.work().resolve("camctl-eve/config");
        ok(camctl(eveConfig, "camctl-Eve-pw1\n", "login", STACK.managementUrl(), "-u", "camctl-eve",
                "--password-stdin", "--ca-file", STACK.managementCertificate().toString()));
        assertThat(ok(camctl(eveConfig, "", "get", "targets", "-o", "json")).json().findValuesAsText("name"))
                .contains("camctl-web");

        // The same file again: its first document is a duplicate name, nothing else is tried.
        Run twice = admin("create", "-f", file.toString());
        assertThat(twice.code()).as(twice.err()).isEqualTo(4);
        assertThat(twice.err()).contains("(document 1)", "Conflict (409)");

        // Flags make one object the same way; delete takes several ids.
        String extra = ok(admin("create", "target", "--name", "camctl-extra", "--host", "127.0.99.4", "--port",
                "5902", "--tag", "rack-8", "-o", "json")).json().path("id").asText();
        String group = ok(admin("create", "group", "--name", "camctl-extra-ops", "-o", "json")).json().path("id")
                .asText();
        assertThat(ok(admin("delete", "target", extra)).out()).isEqualTo("target/" + extra + " deleted\n");
        assertThat(admin("delete", "target", extra, group).code()).isEqualTo(3);
        ok(admin("delete", "group", group));

        // delete -f finds each object by its name (a grant by its group and set) and goes in reverse order.
        List<String> deleted = ok(admin("delete", "-f", file.toString())).out().lines().toList();
        assertThat(deleted).hasSize(6);
        assertThat(deleted.get(0)).matches("assignment/\\d+ deleted");
        assertThat(deleted.get(5)).isEqualTo("target/" + targetId + " deleted");
        assertThat(admin("describe", "target", targetId).code()).isEqualTo(3);
        assertThat(ok(admin("get", "users", "-q", "camctl-eve", "-o", "json")).json()).isEmpty();
        Run gone = admin("delete", "-f", file.toString());
        assertThat(gone.code()).as(gone.err()).isEqualTo(3);
        assertThat(gone.err()).contains("no such Assignment");
        ok(admin("delete", "-f", file.toString(), "--ignore-not-found"));
    }

    @Test
    @Order(6)
    void unknownIdsExitThreeBadInputTwoAndMissingRolesFive() throws Exception {
        Run missing = admin("describe", "target", "987654");
        assertThat(missing.code()).isEqualTo(3);
        assertThat(missing.err()).contains("Not Found (404)");
        assertThat(admin("delete", "grant", "987654").code()).isEqualTo(3);
        Run usage = admin("get", "widgets");
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.err()).contains("unknown kind 'widgets'");
        Run badValue = admin("get", "targets", "--selector", "policy=OPEN");
        assertThat(badValue.code()).isEqualTo(2);
        // The server's own validation: a 400 naming the field is bad input too.
        Run bad = admin("audit", "export", "--from", "yesterday");
        assertThat(bad.code()).as(bad.err()).isEqualTo(2);
        assertThat(bad.err()).contains("(400)", "[field: from]");
        Run badPort = admin("create", "target", "--name", "camctl-bad", "--host", "127.0.99.5", "--port", "70000");
        assertThat(badPort.code()).as(badPort.err()).isEqualTo(2);
        assertThat(badPort.err()).contains("(400)", "[field: port]");
        // A user without the role: 403, exit 5.
        Run forbidden = camctl(userConfig, "", "get", "users");
        assertThat(forbidden.code()).isEqualTo(5);
        assertThat(forbidden.err()).contains("(403)");
    }

    @Test
    @Order(7)
    void aUserOpensASessionByTargetNameAndAStockVncClientUsesThePrintedPassword() throws Exception {
        Packages.ensure("vncsnapshot=vncsnapshot");
        Run open = ok(camctl(userConfig, "", "session", "open", deviceTargetName));
        Matcher password = Pattern.compile("(?m)^Password:\\s+(\\S{8})\\s").matcher(open.out());
        Matcher connect = Pattern.compile("(?m)^Connect:\\s+(\\S+:\\d+)\\s").matcher(open.out());
        assertThat(password.find()).as(open.out()).isTrue();
        assertThat(connect.find()).as(open.out()).isTrue();
        assertThat(connect.group(1)).isEqualTo("127.0.0.1:" + STACK.brokerPlainPort());
        JsonNode session = SuiteStack.JSON.createObjectNode().put("vncPassword", password.group(1))
                .put("rfb", connect.group(1));
        // Throws unless vncsnapshot authenticated with the password and saved the device's picture.
        try (InteropClients.Run run = new InteropClients.Vncsnapshot().connect(session,
                Files.createDirectories(STACK.work().resolve("snapshot")), () -> null)) {
            assertThat(run.interactive()).isFalse();
        }
        JsonNode sessions = ok(camctl(userConfig, "", "get", "sessions", "--selector",
                "targetId=" + deviceTargetId, "-o", "json")).json();
        assertThat(sessions).isNotEmpty();
        assertThat(sessions.get(0).path("user").asText()).isEqualTo(USER);

        // A view-only session for a target the user may not open: not found.
        Run other = camctl(userConfig, "", "session", "open", "paged-01", "--view-only");
        assertThat(other.code()).isEqualTo(3);
    }

    @Test
    @Order(8)
    void sessionOpenViewStartsTigerVncsViewerWithThePasswordOnAPipe() throws Exception {
        Packages.ensure("xtigervncviewer=tigervnc-viewer", "Xvfb=xvfb", "xdotool=xdotool", "xwd=x11-apps");
        Path logs = Files.createDirectories(STACK.work().resolve("viewer"));
        try (XDisplay x = XDisplay.xvfb(DISPLAY, 1280, 1024, logs.resolve("xvfb"))) {
            Path out = logs.resolve("camctl.out");
            ProcessBuilder pb = camctlProcess(userConfig, "session", "open", deviceTargetName, "--view", "--view-only",
                    "--vncviewer-command", "xtigervncviewer");
            pb.environment().put("DISPLAY", x.name());
            Process camctl = pb.redirectOutput(out.toFile()).redirectError(logs.resolve("camctl.err").toFile()).start();
            camctl.getOutputStream().close();
            try {
                // The viewer's window carries the desktop's name only once it authenticated through the broker.
                String window = x.awaitWindow("TigerVNC$", Duration.ofSeconds(60));
                assertThat(window).isNotBlank();
                Matcher password = Pattern.compile("(?m)^Password:\\s+(\\S{8})\\s").matcher(Files.readString(out));
                assertThat(password.find()).as(Files.readString(out)).isTrue();
                List<ProcessHandle> viewers = camctl.descendants()
                        .filter(p -> p.info().command().orElse("").endsWith("xtigervncviewer")).toList();
                assertThat(viewers).hasSize(1);
                List<String> args = List.of(viewers.get(0).info().arguments().orElse(new String[0]));
                assertThat(args).contains("-passwd", "/dev/stdin", "-ViewOnly",
                        "127.0.0.1::" + STACK.brokerPlainPort()).doesNotContain(password.group(1));
                // The broker claimed the session with the viewer's answer to its challenge: the session is ACTIVE.
                JsonNode active = await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> ok(camctl(userConfig, "", "get", "sessions", "--selector",
                                "state=ACTIVE,targetId=" + deviceTargetId, "-o", "json")).json(), s -> s.size() == 1);
                assertThat(active.get(0).path("mode").asText()).isEqualToIgnoringCase("view");
                // The device's picture in the viewer: the screen is no longer Xvfb's black.
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                        .until(() -> nonBlackPixels(x.screenshot()) > 10_000);

                viewers.get(0).destroy();
                assertThat(camctl.waitFor(60, TimeUnit.SECONDS)).as("camctl ends with its viewer").isTrue();
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                        .until(() -> ok(camctl(userConfig, "", "get", "sessions", "--selector",
                                "state=ACTIVE,targetId=" + deviceTargetId, "-o", "json")).json().isEmpty());
            } finally {
                camctl.descendants().forEach(ProcessHandle::destroyForcibly);
                camctl.destroyForcibly();
            }
        }
    }

    private static int nonBlackPixels(java.awt.image.BufferedImage image) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y += 4) {
            for (int x = 0; x < image.getWidth(); x += 4) {
                if ((image.getRGB(x, y) & 0xFFFFFF) != 0) {
                    count++;
                }
            }
        }
        return count * 16;
    }

    @Test
    @Order(9)
    void replicationStatusAndSwitchoverThroughManagementApiAndOnTheMonitorItself() throws Exception {
        String nodeA = "127.0.0.1:" + NODE_A;
        String nodeB = "127.0.0.1:" + NODE_B;
        JsonNode status = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> ok(admin("replication", "status", "-o", "json")).json(),
                        s -> "HEALTHY".equals(s.path("state").asText()));
        assertThat(status.path("primary").path("node").asText()).isEqualTo(nodeA);
        // Straight to the monitor: the same answer, from the same generated client.
        assertThat(ok(admin("replication", "status", "--monitor", monitorUrl, "-o", "json")).json()
                .path("primary").path("node").asText()).isEqualTo(nodeA);
        Run missingReason = admin("replication", "switchover");
        assertThat(missingReason.code()).isEqualTo(2);
        // A user is no admin: management-api refuses before the monitor is asked.
        assertThat(camctl(userConfig, "", "replication", "switchover", "--reason", "x").code()).isEqualTo(5);

        JsonNode done = ok(admin("replication", "switchover", "--reason", "camctl test", "-o", "json")).json();
        assertThat(done.path("outcome").asText()).as(done.toString()).isEqualTo("DONE");
        assertThat(done.path("newPrimary").asText()).isEqualTo(nodeB);
        JsonNode history = ok(admin("replication", "history", "-o", "json")).json();
        assertThat(history.findValuesAsText("actor")).contains("admin via management-api");
        assertThat(history.findValuesAsText("reason")).contains("camctl test");

        // Back on the monitor itself with its own admin; a wrong password is refused there (401: exit 5).
        await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> "HEALTHY".equals(ok(admin("replication", "status", "--monitor", monitorUrl, "-o",
                        "json")).json().path("state").asText()));
        Run wrong = camctl(adminConfig, "wrong\n", "replication", "switchover", "--reason", "back", "--monitor",
                monitorUrl, "--monitor-user", "admin");
        assertThat(wrong.code()).as(wrong.err()).isEqualTo(5);
        JsonNode back = ok(camctl(adminConfig, "camdemo\n", "replication", "switchover", "--reason", "back",
                "--monitor", monitorUrl, "--monitor-user", "admin", "-o", "json")).json();
        assertThat(back.path("newPrimary").asText()).isEqualTo(nodeA);
        // The stack goes on: management-api (on its own database) still answers and changes things.
        ok(admin("create", "group", "--name", "camctl-after-switchover"));
        assertThat(ok(admin("replication", "status", "-o", "json")).json().path("primary").path("node").asText())
                .isEqualTo(nodeA);
    }

    @Test
    @Order(10)
    void anExpiredAccessTokenIsRefreshedAndARevokedLoginAsksForANewOne() throws Exception {
        Path config = STACK.work().resolve("camctl-refresh/config");
        ok(camctl(config, STACK.spec.adminPassword() + "\n", "login", STACK.managementUrl(), "-u", "admin",
                "--password-stdin", "--ca-file", STACK.managementCertificate().toString()));
        String before = Files.readString(config);
        String accessBefore = field(before, "accessToken");
        // As if the access token's ten minutes had passed.
        Files.writeString(config, before.replaceFirst("(?m)^accessTokenExpiresAt: .*$",
                "accessTokenExpiresAt: \"2020-01-01T00:00:00Z\""));
        ok(camctl(config, "", "get", "users", "-q", "admin"));
        String after = Files.readString(config);
        assertThat(field(after, "accessToken")).isNotEqualTo(accessBefore);
        assertThat(field(after, "refreshToken")).isNotEqualTo(field(before, "refreshToken"));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(config))).isEqualTo("rw-------");

        // The spent refresh token presented again revokes all of the user's: the next refresh needs a new login.
        Files.writeString(config, before.replaceFirst("(?m)^accessTokenExpiresAt: .*$",
                "accessTokenExpiresAt: \"2020-01-01T00:00:00Z\""));
        Run revoked = camctl(config, "", "get", "users");
        assertThat(revoked.code()).isEqualTo(5);
        assertThat(revoked.err()).contains("is no longer valid: run camctl login again");
    }

    private static String field(String yaml, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ": \"?([^\"\n]+)").matcher(yaml);
        assertThat(m.find()).as(name + " in the cached login").isTrue();
        return m.group(1);
    }

    @Test
    @Order(11)
    void theAuditExportsAsJsonAndCsvAndADeletedGrantIsGone() throws Exception {
        JsonNode events = ok(admin("audit", "export", "--action", "GRANT_CREATE")).json();
        assertThat(events).hasSize(2);
        assertThat(events.get(0).path("actor").asText()).isEqualTo("admin");
        String csv = ok(admin("audit", "export", "--action", "GRANT_CREATE", "-o", "csv")).out();
        assertThat(csv.lines().toList()).hasSize(3);
        assertThat(csv.lines().findFirst().orElseThrow()).contains("action");

        ok(admin("delete", "grant", String.valueOf(grantId)));
        assertThat(admin("describe", "grant", String.valueOf(grantId)).code()).isEqualTo(3);
    }
}
