package org.cam.systemtests;

import com.fasterxml.jackson.databind.JsonNode;
import org.cam.testsupport.Packages;
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
 * camctl's shaded jar run as a user runs it, against the packaged management-api (and, behind it, a real
 * replication-monitor watching the shared MariaDB pair): every answer it reads went through the client generated from
 * the committed OpenAPI document, so this also proves the document by use. Exit codes are the documented ones.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class CamctlIT {
    private static final String DEVICE_ADDRESS = "127.0.99.1";
    private static final String USER = "uma";
    /** More than one request's worth at the chunk size used below, so the listing must page. */
    private static final int PAGED_TARGETS = 45;
    private static final int CHUNK = 20;

    @RegisterExtension
    static final SuiteStack STACK = new SuiteStack(new SuiteStack.Spec("camctl", DEVICE_ADDRESS, 30443, 30900, 1,
            "cam_ctl", List.of("--seed", "99")));

    private static Path jar;
    private static Path adminConfig;
    private static Path userConfig;
    private static long deviceTargetId;
    private static String deviceTargetName;
    private static long grantId;

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
        int monitorPort = SuiteStack.freePort();
        String token = STACK.spec.name() + "-replication-token";
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        // Watches the shared pair, changes nothing (no automatic failover): management-api forwards camctl to it.
        ServiceProcess monitor = STACK.launchExtra("replication-monitor", Map.of(), List.of(java, "-Xmx192m",
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + monitorPort,
                "-Dcam.replication.primary.host=127.0.0.1",
                "-Dcam.replication.primary.port=" + SuiteStack.env("CAM_DB_PRIMARY_PORT", "13306"),
                "-Dcam.replication.secondary.host=127.0.0.1",
                "-Dcam.replication.secondary.port=" + SuiteStack.env("CAM_DB_REPLICA_PORT", "13307"),
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
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("CAMCTL_CONFIG", config.toString());
        Path out = Files.createTempFile(STACK.work(), "camctl", ".out");
        Path err = Files.createTempFile(STACK.work(), "camctl", ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try (var in = p.getOutputStream()) {
            in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("camctl " + String.join(" ", args) + " finished").isTrue();
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
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
        assertThat(wrong.code()).isEqualTo(1);
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
        for (int i = 0; i < PAGED_TARGETS; i++) {
            STACK.json(STACK.admin("/api/v1/targets").POST(body(Map.of("name", String.format("paged-%02d", i),
                    "host", "127.0.99.2", "port", 5900 + i))), 201);
        }
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
        JsonNode groups = ok(admin("get", "groups", "-q", "cam-users", "-o", "json")).json();
        long groupId = -1;
        for (JsonNode g : groups) {
            if ("cam-users".equals(g.path("name").asText())) {
                groupId = g.path("id").asLong();
            }
        }
        assertThat(groupId).as("cam-users after the sync").isPositive();
        long setId = STACK.json(STACK.admin("/api/v1/target-sets").POST(body(Map.of("name", "camctl-lab"))), 201)
                .path("id").asLong();
        STACK.send(STACK.admin("/api/v1/target-sets/" + setId + "/targets/" + deviceTargetId)
                .PUT(SuiteStack.noBody()), 204);

        Path file = Files.writeString(STACK.work().resolve("grant.yaml"), String.format("""
                kind: Grant
                groupId: %d
                targetSetId: %d
                accessLevel: FULL_CONTROL
                clipboard: TO_TARGET
                """, groupId, setId));
        JsonNode grant = ok(admin("create", "grant", "-f", file.toString(), "-o", "json")).json();
        grantId = grant.path("id").asLong();
        assertThat(grantId).isPositive();
        assertThat(grant.path("groupName").asText()).isEqualTo("cam-users");
        assertThat(grant.path("accessLevel").asText()).isEqualTo("FULL_CONTROL");
        assertThat(grant.path("clipboard").asText()).isEqualTo("TO_TARGET");

        String listed = ok(admin("get", "grants", "--selector", "groupId=" + groupId)).out();
        assertThat(listed).contains("cam-users", "camctl-lab", "FULL_CONTROL", "TO_TARGET");

        Run again = admin("create", "grant", "--group", String.valueOf(groupId), "--target-set", String.valueOf(setId),
                "--access", "view_only");
        assertThat(again.code()).as(again.err()).isEqualTo(4);
        assertThat(again.err()).startsWith("error: Conflict (409)");
    }

    @Test
    @Order(5)
    void unknownIdsExitThreeAndUsageErrorsTwo() throws Exception {
        Run missing = admin("describe", "target", "987654");
        assertThat(missing.code()).isEqualTo(3);
        assertThat(missing.err()).contains("Not Found (404)");
        assertThat(admin("delete", "grant", "987654").code()).isEqualTo(3);
        Run usage = admin("get", "widgets");
        assertThat(usage.code()).isEqualTo(2);
        assertThat(usage.err()).contains("unknown kind 'widgets'");
        Run badValue = admin("get", "targets", "--selector", "policy=OPEN");
        assertThat(badValue.code()).isEqualTo(2);
        // The server's own validation: a 400 naming the field (exit 1, not a usage error of camctl's).
        Run bad = admin("audit", "export", "--from", "yesterday");
        assertThat(bad.code()).as(bad.err()).isEqualTo(1);
        assertThat(bad.err()).contains("(400)", "[field: from]");
        // A user without the role: 403, exit 1.
        Run forbidden = camctl(userConfig, "", "get", "users");
        assertThat(forbidden.code()).isEqualTo(1);
        assertThat(forbidden.err()).contains("(403)");
    }

    @Test
    @Order(6)
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
        Run other = camctl(userConfig, "", "session", "open", "paged-01", "--view");
        assertThat(other.code()).isEqualTo(3);
    }

    @Test
    @Order(7)
    void replicationStatusComesFromTheMonitorThroughManagementApi() throws Exception {
        JsonNode status = await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> ok(admin("replication", "status", "-o", "json")).json(),
                        s -> "HEALTHY".equals(s.path("state").asText()));
        assertThat(status.path("primary").path("node").asText())
                .endsWith(":" + SuiteStack.env("CAM_DB_PRIMARY_PORT", "13306"));
        Run missingReason = admin("replication", "switchover");
        assertThat(missingReason.code()).isEqualTo(2);
    }

    @Test
    @Order(8)
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
        assertThat(revoked.code()).isEqualTo(1);
        assertThat(revoked.err()).contains("is no longer valid: run camctl login again");
    }

    private static String field(String yaml, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + ": \"?([^\"\n]+)").matcher(yaml);
        assertThat(m.find()).as(name + " in the cached login").isTrue();
        return m.group(1);
    }

    @Test
    @Order(9)
    void theAuditExportsAsJsonAndCsvAndADeletedGrantIsGone() throws Exception {
        JsonNode events = ok(admin("audit", "export", "--action", "GRANT_CREATE")).json();
        assertThat(events).hasSize(1);
        assertThat(events.get(0).path("actor").asText()).isEqualTo("admin");
        String csv = ok(admin("audit", "export", "--action", "GRANT_CREATE", "-o", "csv")).out();
        assertThat(csv.lines().toList()).hasSize(2);
        assertThat(csv.lines().findFirst().orElseThrow()).contains("action");

        ok(admin("delete", "grant", String.valueOf(grantId)));
        assertThat(admin("describe", "grant", String.valueOf(grantId)).code()).isEqualTo(3);
    }
}
