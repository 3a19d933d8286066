package org.cam.ctl;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.ByteArrayInputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every command family against a real HTTP server on loopback that answers each request with one status and a
 * problem+json body: the exit code follows the one documented rule whatever the command and whichever generated
 * client (management-api's or replication-monitor's) made the request.
 */
class ExitCodesTest {
    /** HTTP status -> exit code, as camctl/README.md's table says. */
    static final Map<Integer, Integer> RULE = Map.of(400, 2, 401, 5, 403, 5, 404, 3, 409, 4, 422, 2, 500, 1,
            502, 1, 503, 1);

    @TempDir
    Path dir;
    HttpServer server;
    volatile int status;
    final List<String> requests = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath());
            exchange.getRequestBody().readAllBytes();
            byte[] body = ("{\"type\":\"https://cam.test/problems/x\",\"title\":\"Refused\",\"status\":" + status
                    + ",\"detail\":\"as the test says\",\"field\":\"name\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/problem+json");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        Config cfg = new Config();
        cfg.server = url();
        cfg.username = "ada";
        cfg.accessToken = "token";
        cfg.accessTokenExpiresAt = Instant.now().plusSeconds(3600);
        cfg.refreshToken = "refresh";
        cfg.refreshTokenExpiresAt = Instant.now().plusSeconds(7200);
        cfg.save(dir.resolve("config"));
        Files.writeString(dir.resolve("lab.yaml"), "kind: TargetSet\nname: lab\n---\nkind: Group\nname: ops\n");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** One command of each family, with the path its request must take. */
    static Stream<Arguments> commands() {
        return Stream.of(
                Arguments.of(List.of("get", "targets"), "GET /api/v1/targets"),
                Arguments.of(List.of("get", "assignments"), "GET /api/v1/assignments"),
                Arguments.of(List.of("describe", "target-set", "7"), "GET /api/v1/target-sets/7"),
                Arguments.of(List.of("create", "target", "--name", "a", "--host", "h", "--port", "5900"),
                        "POST /api/v1/targets"),
                Arguments.of(List.of("create", "-f", "FILE"), "POST /api/v1/target-sets"),
                Arguments.of(List.of("delete", "group", "4"), "DELETE /api/v1/groups/4"),
                Arguments.of(List.of("delete", "-f", "FILE"), "GET /api/v1/groups"),
                Arguments.of(List.of("session", "open", "9"), "POST /api/v1/sessions"),
                Arguments.of(List.of("devices", "approve", "3"), "POST /api/v1/devices/3/approve"),
                Arguments.of(List.of("devices", "firmware", "3", "--image", "fw.bin", "--version", "2.0"),
                        "POST /api/v1/devices/3/firmware"),
                Arguments.of(List.of("ldap", "sync", "--dry-run"), "POST /api/v1/ldap/sync"),
                Arguments.of(List.of("audit", "export"), "GET /api/v1/audit-events"),
                Arguments.of(List.of("audit", "export", "-o", "csv"), "GET /api/v1/audit-events"),
                Arguments.of(List.of("replication", "status"), "GET /api/v1/replication/status"),
                Arguments.of(List.of("replication", "switchover", "--reason", "r"), "POST /api/v1/replication/switchover"),
                Arguments.of(List.of("replication", "status", "--monitor", "MONITOR"), "GET /api/v1/replication/status"),
                Arguments.of(List.of("login", "SERVER", "-u", "ada", "--password-stdin"), "POST /api/v1/auth/login"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("commands")
    void everyStatusGivesTheDocumentedExitCode(List<String> command, String request) {
        for (Map.Entry<Integer, Integer> rule : RULE.entrySet()) {
            status = rule.getKey();
            requests.clear();
            String[] args = command.stream().map(a -> switch (a) {
                case "FILE" -> dir.resolve("lab.yaml").toString();
                case "MONITOR", "SERVER" -> url();
                default -> a;
            }).toArray(String[]::new);
            StringWriter err = new StringWriter();
            Map<String, String> env = Map.of("CAMCTL_CONFIG", (command.get(0).equals("login")
                    ? dir.resolve("login-config") : dir.resolve("config")).toString());
            int code = CamCtl.run(args, new PrintWriter(new StringWriter()), new PrintWriter(err),
                    new ByteArrayInputStream("secret\n".getBytes(StandardCharsets.UTF_8)), env);
            assertThat(requests).as("requests of " + command).contains(request);
            assertThat(code).as(command + " answered " + status + ": " + err).isEqualTo(rule.getValue());
            assertThat(err.toString()).contains("Refused (" + status + "): as the test says [field: name]");
        }
    }
}
