package org.cam.systemtests;

import org.cam.testsupport.rfb.RfbTestClient;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The failover drill: the packaged services on a MariaDB pair of the test's own (semi-synchronous), HAProxy in front
 * of it following replication-monitor's agent check, a writer creating a group every 50 ms through the REST API and
 * two RFB sessions open through the broker; then a monitor path cut, a switchover, 20 switchovers, a kill -9 of the
 * primary with automatic failover, and the monitor itself gone. Every answer is a 2xx or a 503 problem+json with
 * Retry-After; every acknowledged write is on the primary afterwards; the sessions stay up.
 *
 * <p>Addresses and ports of its own (127.0.81.1, 27xxx, database {@code cam_drill}), so it runs beside the other
 * system tests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverDrillIT {
    static final String HOST = "127.0.0.1";
    static final int NODE_A = 27306;
    static final int NODE_B = 27307;
    static final int PROXY = 27308;
    static final int MONITOR_HTTP = 27383;
    static final int AGENT = 27384;
    /** The monitor reaches node A through this forwarder, which the test can cut. */
    static final int MONITOR_PATH_TO_A = 27385;
    static final Duration GRACE = Duration.ofSeconds(3);
    static final long SWITCHOVER_OUTAGE_LIMIT_MS = 3_000;
    static final long FAILOVER_OUTAGE_LIMIT_MS = GRACE.toMillis() + 5_000;
    static final String USER = "uma";

    @RegisterExtension
    static final SuiteStack STACK = new SuiteStack(new SuiteStack.Spec("drill", "127.0.81.1", 27443, 27900, 2,
            "cam_drill", List.of())).database(HOST + ":" + NODE_A, HOST + ":" + PROXY);

    static Path infraDir;
    static TcpCut monitorPathToA;
    static ServiceProcess monitor;
    static ApiLoad writer;
    /** Automation reading with HTTP Basic beside the writer: reads go on while no primary takes writes. */
    static ApiLoad reader;
    static final List<RfbTestClient> sessions = new ArrayList<>();
    static final List<Long> switchoverOutages = new ArrayList<>();
    /** For the monitor's API, which is there before the stack's own client is. */
    static final HttpClient MONITOR_HTTP_CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() throws Exception {
        Path root = Path.of(System.getProperty("cam.root.dir", "..")).toAbsolutePath().normalize();
        String buildDir = System.getProperty("cam.build.dir", "target");
        infraDir = root.resolve("system-tests").resolve(buildDir).resolve("infra-drill");
        // a fresh pair every run: the last run left it after a failover
        infra("db-down", "--purge");
        infra("db-up");
        assertThat(query(NODE_A, "SELECT @@read_only")).isEqualTo("0");
        assertThat(query(NODE_B, "SELECT @@read_only")).isEqualTo("1");
        // read_only fences the application only if its account cannot override it (SUPER, READ_ONLY ADMIN)
        assertThat(grants(NODE_A, "cam")).isNotEmpty().allSatisfy(g -> assertThat(g)
                .doesNotContain("SUPER").doesNotContain("READ_ONLY ADMIN").doesNotContain("ALL PRIVILEGES ON *.*"));

        monitorPathToA = new TcpCut(MONITOR_PATH_TO_A, NODE_A);
        Path monitorJar = root.resolve("replication-monitor").resolve(buildDir).resolve("quarkus-app/quarkus-run.jar");
        assertThat(monitorJar).as("packaged by the reactor before this module").isRegularFile();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        monitor = STACK.launchExtra("replication-monitor", Map.of(), List.of(java, "-Xmx192m",
                "-Dquarkus.http.host=" + HOST, "-Dquarkus.http.port=" + MONITOR_HTTP,
                "-Dcam.replication.primary.host=" + HOST, "-Dcam.replication.primary.port=" + MONITOR_PATH_TO_A,
                "-Dcam.replication.primary.replication-host=" + HOST,
                "-Dcam.replication.primary.replication-port=" + NODE_A,
                "-Dcam.replication.secondary.host=" + HOST, "-Dcam.replication.secondary.port=" + NODE_B,
                "-Dcam.replication.agent.port=" + AGENT,
                "-Dcam.replication.auto-failover.enabled=true",
                "-Dcam.replication.auto-failover.grace=" + GRACE.toSeconds() + "s",
                // the drill switches over right before the kill; the block after any failover must not hide it
                "-Dcam.replication.auto-failover.block=5s",
                "-jar", monitorJar.toString()));
        await("replication-monitor HEALTHY").atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptions().until(() -> {
                    assertThat(monitor.alive()).as("replication-monitor running").isTrue();
                    return "HEALTHY".equals(monitorStatus().path("state").asText());
                });

        STACK.launchExtra("db-proxy", infraEnv(), List.of("bash", script().toString(), "db-proxy"));
        await("HAProxy listening").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200))
                .until(() -> portOpen(PROXY));

        STACK.start();
        List<Long> targets = STACK.enrolDeviceAndGrantCamUsers();
        for (long target : targets) {
            String password = STACK.json(STACK.as(USER, SuiteStack.DEMO_PASSWORD, "/api/v1/sessions")
                    .POST(SuiteStack.body(Map.of("targetId", target, "mode", "control"))), 201)
                    .path("vncPassword").asText();
            RfbTestClient viewer = RfbTestClient.tcp(HOST, STACK.brokerPlainPort()).open(password, true);
            viewer.refresh();
            sessions.add(viewer);
        }
        writer = new ApiLoad(STACK.http(), STACK.managementUrl(), "drill", bearer());
        writer.start();
        reader = ApiLoad.reader(STACK.http(), STACK.managementUrl(), SuiteStack.basic(USER, SuiteStack.DEMO_PASSWORD));
        reader.start();
        await("first writes acknowledged").atMost(Duration.ofMinutes(1)).until(() -> writer.acknowledgedSince(0) >= 10);
        await("first reads answered").atMost(Duration.ofMinutes(1)).until(() -> reader.acknowledgedSince(0) >= 10);
    }

    @AfterAll
    static void stop() throws Exception {
        if (writer != null) {
            writer.close();
        }
        if (reader != null) {
            reader.close();
        }
        for (RfbTestClient v : sessions) {
            v.close();
        }
        if (monitorPathToA != null) {
            monitorPathToA.close();
        }
        if (infraDir != null) {
            infra("db-down");
        }
    }

    // ---- the drill -------------------------------------------------------------------------------------------

    @Test
    @Order(1)
    void monitorCutOffFromThePrimaryChangesNothing() throws Exception {
        writer.authorization(bearer());
        int mark = writer.mark();
        monitorPathToA.cut();
        try {
            await("monitor sees the primary unreachable").atMost(Duration.ofSeconds(20)).ignoreExceptions()
                    .until(() -> "UNREACHABLE_FROM_MONITOR".equals(monitorStatus().path("state").asText()));
            // longer than grace + detection: an automatic failover would have happened by now
            await("no failover while cut off").during(GRACE.plusSeconds(3)).atMost(GRACE.plusSeconds(20))
                    .until(() -> namedPrimary().equals(HOST + ":" + NODE_A));
        } finally {
            monitorPathToA.restore();
        }
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> "HEALTHY".equals(monitorStatus().path("state").asText()));
        List<ApiLoad.Answer> window = writer.fromLastAcknowledgedBefore(mark);
        assertThat(window).as("writes during the cut").hasSizeGreaterThan(20).allMatch(ApiLoad.Answer::acknowledged);
        report("monitor path cut", window);
        assertEveryAcknowledgedWriteOnThePrimary();
        assertSessionsUp();
    }

    @Test
    @Order(2)
    void switchoverKeepsWritingWithinThreeSeconds() throws Exception {
        writer.authorization(bearer());
        long outage = switchover();
        assertThat(outage).as("write outage of the switchover (ms)").isLessThanOrEqualTo(SWITCHOVER_OUTAGE_LIMIT_MS);
        assertEveryAcknowledgedWriteOnThePrimary();
        assertSessionsUp();
    }

    @Test
    @Order(3)
    void twentySwitchoversLoseNoAcknowledgedWrite() throws Exception {
        writer.authorization(bearer());
        List<Long> outages = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            outages.add(switchover());
        }
        List<Long> sorted = outages.stream().sorted().toList();
        System.out.printf("[drill] 20 switchovers: longest write outage %d ms, median %d ms (all: %s)%n",
                sorted.get(sorted.size() - 1), (sorted.get(9) + sorted.get(10)) / 2, outages);
        assertEveryAcknowledgedWriteOnThePrimary();
        assertSessionsUp();
    }

    @Test
    @Order(4)
    void killOfThePrimaryFailsOverAutomaticallyAndTheOldPrimaryComesBackReadOnly() throws Exception {
        writer.authorization(bearer());
        String old = namedPrimary();
        int oldPort = Integer.parseInt(old.substring(old.lastIndexOf(':') + 1));
        assertThat(query(oldPort, "SHOW GLOBAL STATUS LIKE 'Rpl_semi_sync_master_status'"))
                .as("semi-synchronous replication active on the primary before the kill").isEqualTo("ON");
        int mark = writer.mark();
        long killed = System.nanoTime();
        infra("db-stop-node", node(oldPort), "--kill");
        await("automatic failover").atMost(Duration.ofSeconds(60)).ignoreExceptions()
                .until(() -> !namedPrimary().equals(old));
        long failedOver = System.nanoTime();
        await("writes acknowledged after the failover").atMost(Duration.ofSeconds(60))
                .until(() -> writer.since(mark).stream().anyMatch(a -> a.acknowledged() && a.startNanos() > failedOver));
        List<ApiLoad.Answer> window = writer.fromLastAcknowledgedBefore(mark);
        // the outage: the longest time without an acknowledgement, from the last write the old primary took to the
        // first one the new primary took
        long outage = report("kill -9 of the primary, automatic failover (grace " + GRACE.toSeconds() + " s)", window);
        System.out.printf("[drill] kill -9: failover seen %d ms after the kill; answers: %s%n",
                TimeUnit.NANOSECONDS.toMillis(failedOver - killed), timeline(window, killed));
        assertThat(window).as("refusals while no primary was reachable").anyMatch(a -> !a.acknowledged());
        // reads while no primary takes writes: between the first refused write and the first write the new primary
        // took, automation's reads are answered from the node that is left
        long firstRefused = window.stream().filter(a -> !a.acknowledged()).mapToLong(ApiLoad.Answer::startNanos)
                .min().orElseThrow();
        long firstAfter = window.stream().filter(a -> a.acknowledged() && a.startNanos() > firstRefused)
                .mapToLong(ApiLoad.Answer::startNanos).min().orElseThrow();
        List<ApiLoad.Answer> readsDuringOutage = reader.all().stream()
                .filter(a -> a.startNanos() > firstRefused && a.endNanos() < firstAfter).toList();
        System.out.printf("[drill] kill -9: %d reads while writes were refused, %d answered 200; reads: %s%n",
                readsDuringOutage.size(), readsDuringOutage.stream().filter(ApiLoad.Answer::acknowledged).count(),
                timeline(readsDuringOutage, killed));
        assertEveryAnswerIsAcknowledgedOr503(readsDuringOutage);
        assertThat(readsDuringOutage).as("reads answered while no primary took writes")
                .anyMatch(ApiLoad.Answer::acknowledged);
        assertThat(outage).as("write outage of the failover (ms)").isLessThanOrEqualTo(FAILOVER_OUTAGE_LIMIT_MS);
        assertEveryAcknowledgedWriteOnThePrimary();

        // fencing: the old primary starts read-only because the monitor does not name it primary
        infra("db-start-node", node(oldPort));
        assertThat(query(oldPort, "SELECT @@read_only")).as("restarted old primary").isEqualTo("1");
        int afterRestart = writer.mark();
        await("writes go on while the old primary is back").atMost(Duration.ofSeconds(30))
                .until(() -> writer.acknowledgedSince(afterRestart) >= 20);
        assertThat(query(oldPort, "SELECT @@read_only")).as("old primary still fenced").isEqualTo("1");
        assertEveryAnswerIsAcknowledgedOr503(writer.since(afterRestart));
        assertSessionsUp();
    }

    @Test
    @Order(5)
    void withTheMonitorDownThereIsNoFailoverAndWritesGoOn() throws Exception {
        writer.authorization(bearer());
        String primary = namedPrimary();
        monitor.close();
        int mark = writer.mark();
        await("writes go on without the monitor").during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(30))
                .until(() -> writer.since(mark).stream().allMatch(ApiLoad.Answer::acknowledged));
        assertThat(writer.acknowledgedSince(mark)).isGreaterThan(20);
        report("monitor down", writer.fromLastAcknowledgedBefore(mark));
        assertEveryAcknowledgedWriteOn(Integer.parseInt(primary.substring(primary.lastIndexOf(':') + 1)));
        assertSessionsUp();
    }

    // ---- steps and checks ------------------------------------------------------------------------------------

    /** One switchover through the monitor's API under the write load; the write outage it caused, in ms. */
    private static long switchover() throws Exception {
        String before = namedPrimary();
        int mark = writer.mark();
        long asked = System.nanoTime();
        HttpRequest request = HttpRequest.newBuilder(monitorUri("/api/v1/replication/switchover"))
                .header("Authorization", SuiteStack.basic("admin", "camdemo")).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(60)).POST(SuiteStack.body(Map.of("reason", "failover drill"))).build();
        // A 409 "unreachable" is a refusal before anything changed (the monitor's 400 ms connect timeout, through the
        // test's forwarder, on a loaded machine): the operator asks again, and so do we.
        HttpResponse<String> r = await("switchover accepted").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    HttpResponse<String> a = MONITOR_HTTP_CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
                    if (a.statusCode() == 409 && a.body().contains("unreachable")) {
                        assertThat(namedPrimary()).as("a refused switchover changes nothing").isEqualTo(before);
                        return null;
                    }
                    assertThat(a.statusCode()).as(a.body()).isEqualTo(200);
                    return a;
                }, Objects::nonNull);
        assertThat(SuiteStack.JSON.readTree(r.body()).path("outcome").asText()).as(r.body()).isEqualTo("DONE");
        assertThat(namedPrimary()).isNotEqualTo(before);
        await("writes acknowledged after the switchover").atMost(Duration.ofSeconds(60))
                .until(() -> writer.since(mark).stream().filter(a -> a.acknowledged() && a.startNanos() > asked)
                        .count() >= 5);
        List<ApiLoad.Answer> window = writer.fromLastAcknowledgedBefore(mark);
        long outage = report("switchover " + before + " -> " + namedPrimary(), window);
        if (window.stream().anyMatch(a -> !a.acknowledged())) {
            System.out.printf("[drill]   answers from the switchover request on: %s%n", timeline(window, asked));
        }
        return outage;
    }

    /** Prints the window's figures, asserts its answers, and returns its longest write outage in ms. */
    private static long report(String what, List<ApiLoad.Answer> window) {
        assertEveryAnswerIsAcknowledgedOr503(window);
        long gap = ApiLoad.longestGapMillis(window);
        long refused = window.stream().filter(a -> !a.acknowledged()).count();
        if (what.startsWith("switchover")) {
            switchoverOutages.add(gap);
        }
        System.out.printf("[drill] %s: %d writes, %d answered 503, longest write outage %d ms%n", what, window.size(),
                refused, gap);
        return gap;
    }

    /**
     * Each answer as status@start+duration in ms from {@code origin}, for the drill's log; a refusal is marked "ro"
     * (met a read-only node) or "cx" (no connection to a primary).
     */
    private static String timeline(List<ApiLoad.Answer> window, long origin) {
        StringBuilder b = new StringBuilder();
        for (ApiLoad.Answer a : window) {
            b.append(a.status()).append(a.acknowledged() ? "" : a.body().contains("read-only") ? "ro" : "cx").append('@').append(TimeUnit.NANOSECONDS.toMillis(a.startNanos() - origin)).append('+')
                    .append(TimeUnit.NANOSECONDS.toMillis(a.endNanos() - a.startNanos())).append(' ');
        }
        return b.toString().strip();
    }

    /** Every read of the whole drill was answered 200 or 503 problem+json with Retry-After. */
    @Test
    @Order(6)
    void everyReadOfTheDrillAnswered200Or503() {
        List<ApiLoad.Answer> all = reader.all();
        System.out.printf("[drill] reads (HTTP Basic) over the whole drill: %d, %d answered 503%n", all.size(),
                all.stream().filter(a -> !a.acknowledged()).count());
        assertThat(all).hasSizeGreaterThan(100);
        assertEveryAnswerIsAcknowledgedOr503(all);
    }

    private static void assertEveryAnswerIsAcknowledgedOr503(List<ApiLoad.Answer> window) {
        for (ApiLoad.Answer a : window) {
            if (a.acknowledged()) {
                continue;
            }
            assertThat(a.status()).as("answer to " + a.name() + ": " + a.body()).isEqualTo(503);
            assertThat(a.retryAfter()).as("Retry-After of " + a.name()).isNotBlank();
            assertThat(a.contentType()).as("content type of " + a.name()).startsWith("application/problem+json");
        }
    }

    private static void assertEveryAcknowledgedWriteOnThePrimary() throws Exception {
        String primary = namedPrimary();
        assertEveryAcknowledgedWriteOn(Integer.parseInt(primary.substring(primary.lastIndexOf(':') + 1)));
    }

    private static void assertEveryAcknowledgedWriteOn(int port) throws Exception {
        List<String> acknowledged = writer.acknowledgedNames();
        Set<String> stored = new HashSet<>();
        try (Connection c = connect(port); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT name FROM cam_drill.user_group WHERE name LIKE 'drill-%'")) {
            while (rs.next()) {
                stored.add(rs.getString(1));
            }
        }
        assertThat(stored).as("acknowledged writes on " + HOST + ":" + port).containsAll(acknowledged);
    }

    private static void assertSessionsUp() throws IOException {
        for (RfbTestClient v : sessions) {
            assertThat(v.refresh()).as("a full update through the broker").hasSize(v.width() * v.height());
        }
    }

    // ---- plumbing --------------------------------------------------------------------------------------------

    /** A fresh admin token; a login is a write too, so it may meet a 503 with Retry-After and is then repeated. */
    private static String bearer() throws Exception {
        HttpRequest login = HttpRequest.newBuilder(URI.create(STACK.managementUrl() + "/api/v1/auth/login"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(SuiteStack.body(Map.of("username", "admin", "password", STACK.spec.adminPassword()))).build();
        HttpResponse<String> r = await("admin login").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(2))
                .until(() -> STACK.http().send(login, HttpResponse.BodyHandlers.ofString()), a -> {
                    assertThat(a.statusCode()).as(a.body()).isIn(200, 503);
                    return a.statusCode() == 200;
                });
        return "Bearer " + SuiteStack.JSON.readTree(r.body()).path("accessToken").asText();
    }

    private static URI monitorUri(String path) {
        return URI.create("http://" + HOST + ":" + MONITOR_HTTP + path);
    }

    private static JsonNode monitorStatus() throws Exception {
        return SuiteStack.JSON.readTree(MONITOR_HTTP_CLIENT.send(HttpRequest.newBuilder(monitorUri("/api/v1/replication/status"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    /** The node the monitor names primary, by its own address (host:port). */
    private static String namedPrimary() throws Exception {
        return monitorStatus().path("primary").path("node").asText();
    }

    private static String node(int port) {
        return port == NODE_A ? "primary" : "replica";
    }

    private static Connection connect(int port) throws Exception {
        return DriverManager.getConnection("jdbc:mysql://" + HOST + ":" + port + "/",
                SuiteStack.env("CAM_DB_ADMIN_USER", "camadmin"), SuiteStack.env("CAM_DB_ADMIN_PASSWORD", "camadmin"));
    }

    private static String query(int port, String sql) throws Exception {
        try (Connection c = connect(port); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).as(sql).isTrue();
            return rs.getString(rs.getMetaData().getColumnCount());
        }
    }

    private static List<String> grants(int port, String user) throws Exception {
        List<String> grants = new ArrayList<>();
        try (Connection c = connect(port); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW GRANTS FOR '" + user + "'@'%'")) {
            while (rs.next()) {
                grants.add(rs.getString(1));
            }
        }
        return grants;
    }

    private static boolean portOpen(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path script() {
        return Path.of(System.getProperty("cam.root.dir", "..")).toAbsolutePath().normalize()
                .resolve("scripts/infra.sh");
    }

    private static Map<String, String> infraEnv() {
        Map<String, String> env = new HashMap<>();
        env.put("CAM_INFRA_DIR", infraDir.toString());
        env.put("CAM_DB_PRIMARY_PORT", String.valueOf(NODE_A));
        env.put("CAM_DB_REPLICA_PORT", String.valueOf(NODE_B));
        env.put("CAM_LDAP_PORT", "27389");
        env.put("CAM_DB_PROXY_PORT", String.valueOf(PROXY));
        env.put("CAM_REPLICATION_AGENT_ADDR", HOST + ":" + AGENT);
        env.put("CAM_REPLICATION_MONITOR_URL", "http://" + HOST + ":" + MONITOR_HTTP);
        return env;
    }

    private static void infra(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", script().toString()));
        cmd.addAll(List.of(args));
        Files.createDirectories(infraDir);
        Path log = infraDir.resolve("infra-calls.log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().putAll(infraEnv());
        Process p = pb.start();
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).as("infra.sh " + String.join(" ", args) + " in time").isTrue();
        assertThat(p.exitValue()).as("infra.sh " + String.join(" ", args) + "; log " + log).isZero();
    }
}
