package org.cam.discovery.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cam.discovery.support.SimulatorProcess;
import org.cam.testsupport.Packages;
import org.cam.testsupport.net.Netns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real broadcast across network namespaces: the packaged service in one namespace, a simulated device in each of
 * two others, all on a bridge this test makes and removes. Needs root (CI runs as root); without it the test
 * fails rather than skips.
 *
 * <ul>
 *   <li>d1 boots before the manager with its 3080 listener off: its ANNOUNCE is lost, so only the manager's
 *       start-up scan can find it, by broadcasting DISCOVER on 3080 and then (auto) on 3081; it answers to 3080.
 *   <li>d2 boots after the manager and announces by subnet broadcast; later a broadcast scan on 3080 finds it
 *       (and not d1, which does not listen there).
 * </ul>
 */
class NamespaceBroadcastIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static Netns net;
    static final List<AutoCloseable> processes = new ArrayList<>();
    static Process manager;
    static String mgrNs;
    static Path logs;

    @BeforeAll
    static void segment() throws Exception {
        String uid = Netns.run("id", "-u").trim();
        assertThat(uid).as("this test creates network namespaces and needs root (CI runs as root)").isEqualTo("0");
        // ip (iproute2) and curl on a minimal CI image: installed the way the launcher installs its packages.
        Packages.ensure("ip=iproute2", "curl=curl");
        logs = Path.of(System.getProperty("cam.it.log.dir", "target/it-logs"));
        Files.createDirectories(logs);
        net = new Netns();
        // Clean up even if the JVM is killed between here and @AfterAll.
        Runtime.getRuntime().addShutdownHook(new Thread(NamespaceBroadcastIT::cleanUp));
    }

    @AfterAll
    static void tearDown() throws Exception {
        cleanUp();
        assertThat(net.remaining()).as("namespaces left behind").isEmpty();
    }

    private static synchronized void cleanUp() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            try {
                processes.get(i).close();
            } catch (Exception e) {
                System.err.println("stopping a test process: " + e);
            }
        }
        processes.clear();
        if (net != null) {
            net.close();
        }
    }

    @Test
    void broadcastDiscoveryAcrossNamespaces() throws Exception {
        mgrNs = net.join("m", "10.214.0.1/24");
        String d1Ns = net.join("d1", "10.214.0.11/24");
        String d2Ns = net.join("d2", "10.214.0.12/24");

        SimulatorProcess d1 = SimulatorProcess.start(Netns.exec(d1Ns), logs.resolve("d1.log"),
                "--first-address", "10.214.0.11", "--udp-wildcard", "true", "--listen-primary", "false",
                "--discovery", "auto", "--broadcast-address", "255.255.255.255", "--seed", "11");
        processes.add(d1);
        String d1Id = d1.awaitReady(Duration.ofSeconds(90)).get(0);

        startManager();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            JsonNode d = get("/api/v1/discoveries/" + d1Id);
            assertThat(d.path("heardVia").asText()).isEqualTo("SCAN_REPLY");
            assertThat(d.path("sourceAddress").asText()).isEqualTo("10.214.0.11");
        });
        JsonNode startScan = get("/api/v1/scans").get(0);
        assertThat(startScan.path("broadcast").toString()).contains("255.255.255.255");
        assertThat(startScan.path("responders").get(0).path("probedPort").asInt()).isEqualTo(3081);

        SimulatorProcess d2 = SimulatorProcess.start(Netns.exec(d2Ns), logs.resolve("d2.log"),
                "--first-address", "10.214.0.12", "--udp-wildcard", "true", "--discovery", "auto",
                "--broadcast-address", "10.214.0.255", "--seed", "12");
        processes.add(d2);
        String d2Id = d2.awaitReady(Duration.ofSeconds(90)).get(0);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).untilAsserted(() -> {
            JsonNode d = get("/api/v1/discoveries/" + d2Id);
            assertThat(d.path("heardVia").asText()).isEqualTo("BROADCAST_ANNOUNCE");
            assertThat(d.path("address").asText()).isEqualTo("10.214.0.12");
        });

        String id = post("/api/v1/scans", "{\"broadcast\":[\"10.214.0.255\"],\"port\":3080,\"timeoutMs\":3000}")
                .path("id").asText();
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() ->
                get("/api/v1/scans/" + id).path("status").asText().equals("COMPLETED"));
        JsonNode scan = get("/api/v1/scans/" + id);
        List<String> responders = new ArrayList<>();
        scan.path("responders").forEach(r -> responders.add(r.path("deviceId").asText()));
        assertThat(responders).containsExactly(d2Id);
        assertThat(get("/api/v1/discoveries")).hasSize(2);
    }

    private static void startManager() throws Exception {
        List<String> cmd = new ArrayList<>(Netns.exec(mgrNs));
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-Dquarkus.http.host=127.0.0.1",
                "-Dcam.discovery.scan.start-broadcast=255.255.255.255",
                "-Dcam.discovery.scan.default-timeout=3s", // generous: a cold JVM on a busy CI box
                "-Dcam.discovery.forward.enabled=false",
                "-jar", java.util.Objects.requireNonNull(System.getProperty("cam.discovery.app.jar"),
                        "cam.discovery.app.jar: run this under failsafe, after package")));
        manager = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(logs.resolve("manager.log").toFile()).start();
        processes.add(() -> {
            manager.destroy();
            if (!manager.waitFor(15, TimeUnit.SECONDS)) {
                manager.destroyForcibly();
            }
        });
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(manager.isAlive()).as("manager process; see manager.log").isTrue();
            return curl("-sf", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:8081/q/health/ready")
                    .equals("200");
        });
    }

    /** HTTP inside the manager's namespace (its port is not reachable from the host, by design). */
    private static String curl(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(Netns.exec(mgrNs));
        cmd.add("curl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        return out;
    }

    private static JsonNode get(String path) throws IOException, InterruptedException {
        return JSON.readTree(curl("-sf", "http://127.0.0.1:8081" + path));
    }

    private static JsonNode post(String path, String body) throws IOException, InterruptedException {
        return JSON.readTree(curl("-sf", "-H", "Content-Type: application/json", "-d", body,
                "http://127.0.0.1:8081" + path));
    }

}
