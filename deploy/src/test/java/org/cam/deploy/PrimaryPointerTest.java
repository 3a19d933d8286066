package org.cam.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * base/config/primary-pointer.py, run with python3 against a stand-in Kubernetes API server (HTTPS with a certificate
 * of the test's own in the service-account folder, bearer token checked) and a stand-in replication-monitor answering
 * the role check: the Service follows the node the monitor names, and stays put when the monitor names none or is
 * gone.
 */
class PrimaryPointerTest {
    private static final String TOKEN = "sa-token-for-the-test";
    private static final String SERVICE_PATH = "/api/v1/namespaces/cam/services/cam-db-primary";

    private Path dir;
    private HttpsServer apiServer;
    private HttpServer monitor;
    private Process pointer;
    private volatile String selector = "cam-mysql-0";
    private volatile String namedPrimary = "cam-mysql-0.cam-mysql:3306";
    private volatile String state = "HEALTHY";
    private final List<String> patches = new CopyOnWriteArrayList<>();
    private final List<String> authorizations = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        dir = Files.createTempDirectory("primary-pointer");
        Path sa = Files.createDirectories(dir.resolve("serviceaccount"));
        Files.writeString(sa.resolve("token"), TOKEN + "\n");
        Files.writeString(sa.resolve("namespace"), "cam");
        Path keyStore = dir.resolve("api.p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "api", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=kubernetes", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", "changeit");
        run(keytool, "-exportcert", "-rfc", "-alias", "api", "-keystore", keyStore.toString(), "-storepass",
                "changeit", "-file", sa.resolve("ca.crt").toString());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keyStore.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);

        apiServer = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        apiServer.setHttpsConfigurator(new HttpsConfigurator(tls));
        apiServer.createContext(SERVICE_PATH, exchange -> {
            authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
            if ("PATCH".equals(exchange.getRequestMethod())) {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                patches.add(exchange.getRequestHeaders().getFirst("Content-Type") + " " + body);
                // a JSON merge patch: a string sets the pod, null removes the key (every database pod)
                selector = body.contains("\"statefulset.kubernetes.io/pod-name\": null") ? null
                        : body.replaceAll(".*\"statefulset.kubernetes.io/pod-name\": \"([^\"]+)\".*", "$1");
            }
            String podSelector = selector == null ? ""
                    : ", \"statefulset.kubernetes.io/pod-name\": \"" + selector + "\"";
            byte[] service = ("{\"spec\": {\"selector\": {\"app.kubernetes.io/name\": \"cam-mysql\"" + podSelector
                    + "}}}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, service.length);
            exchange.getResponseBody().write(service);
            exchange.close();
        });
        apiServer.start();

        monitor = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        monitor.createContext("/api/v1/replication/nodes/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String node = path.substring("/api/v1/replication/nodes/".length(), path.length() - "/primary".length());
            exchange.sendResponseHeaders(node.equals(namedPrimary) ? 200 : 503, -1);
            exchange.close();
        });
        monitor.createContext("/api/v1/replication/status", exchange -> {
            byte[] status = ("{\"state\": \"" + state + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, status.length);
            exchange.getResponseBody().write(status);
            exchange.close();
        });
        monitor.start();

        ProcessBuilder pb = new ProcessBuilder("python3", "-B",
                Workspace.get().deployDir.resolve("kubernetes/base/config/primary-pointer.py").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("pointer.log").toFile());
        pb.environment().put("KUBERNETES_SERVICE_HOST", "127.0.0.1");
        pb.environment().put("KUBERNETES_SERVICE_PORT", String.valueOf(apiServer.getAddress().getPort()));
        pb.environment().put("SERVICEACCOUNT_DIR", sa.toString());
        pb.environment().put("MONITOR_URL", "http://127.0.0.1:" + monitor.getAddress().getPort());
        pb.environment().put("INTERVAL_SECONDS", "0.1");
        pointer = pb.start();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (pointer != null) {
            pointer.destroy();
            pointer.waitFor(10, TimeUnit.SECONDS);
        }
        apiServer.stop(0);
        monitor.stop(0);
        Workspace.deleteTree(dir);
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("pointer.log"));
    }

    @Test
    void theServiceFollowsTheNodeTheMonitorNamesAndStaysWithoutIt() throws Exception {
        // the monitor names the node the Service already selects: it is read, not patched
        await().atMost(Duration.ofSeconds(20)).until(() -> authorizations.size() >= 3);
        assertThat(patches).isEmpty();
        assertThat(authorizations).containsOnly("Bearer " + TOKEN);

        namedPrimary = "cam-mysql-1.cam-mysql:3306";   // a switchover or promote
        await().atMost(Duration.ofSeconds(20)).until(() -> selector.equals("cam-mysql-1"));
        assertThat(patches).singleElement().asString().startsWith("application/merge-patch+json ")
                .contains("\"statefulset.kubernetes.io/pod-name\": \"cam-mysql-1\"");

        state = "PRIMARY_DOWN";   // the named primary died: reads from every ready pod until the failover
        await().atMost(Duration.ofSeconds(20)).until(() -> selector == null);
        assertThat(patches).hasSize(2);
        assertThat(patches.get(1)).contains("\"statefulset.kubernetes.io/pod-name\": null");
        namedPrimary = "cam-mysql-0.cam-mysql:3306";   // failed over: the promoted pod has the Service again
        state = "HEALTHY";
        await().atMost(Duration.ofSeconds(20)).until(() -> "cam-mysql-0".equals(selector));

        namedPrimary = "none";   // the monitor names no node: nothing moves
        await().atMost(Duration.ofSeconds(20)).until(() -> log().contains("names 0 of"));
        monitor.stop(0);         // the monitor is gone: nothing moves either, and the pointer keeps running
        await().atMost(Duration.ofSeconds(20)).until(() -> log().contains("error:"));
        assertThat(pointer.isAlive()).as(log()).isTrue();
        assertThat(patches).hasSize(3);
        assertThat(selector).isEqualTo("cam-mysql-0");
        assertThat(log()).contains("cam-db-primary now selects cam-mysql-1 (was cam-mysql-0)",
                "cam-db-primary now selects every database pod (primary down: reads only) (was cam-mysql-1)",
                "cam-db-primary now selects cam-mysql-0 (was every database pod)");
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
