package org.cam.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * base/config/mysql-start.sh with a stand-in mysqld (no MySQL 8 on the build machines): which bootstrap SQL each node
 * gets on its first start, and that every later start is fenced unless replication-monitor (a loopback stand-in
 * answering its role check) names the node primary.
 */
class MysqlStartTest {

    private Path dir;
    private HttpServer monitor;
    /** The node the stand-in monitor names primary. */
    private volatile String namedPrimary = "";
    private final List<String> asked = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        dir = Files.createTempDirectory("mysql-start");
        Files.createDirectories(dir.resolve("bin"));
        Files.createDirectories(dir.resolve("run"));
        Path fake = dir.resolve("bin/mysqld");
        // --initialize-insecure creates the data directory; a server start records its arguments.
        Files.writeString(fake, """
                #!/bin/bash
                for a in "$@"; do
                  case $a in --datadir=*) d=${a#--datadir=} ;; esac
                done
                if [[ " $* " == *" --initialize-insecure "* ]]; then mkdir -p "$d/mysql"; exit 0; fi
                printf '%s\\n' "$@" > "$FAKE_ARGS"
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Answers GET /api/v1/replication/nodes/{node}/primary like replication-monitor: 200 or 503. */
    private String startMonitor() throws IOException {
        monitor = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        monitor.createContext("/api/v1/replication/nodes/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String node = path.substring("/api/v1/replication/nodes/".length(), path.length() - "/primary".length());
            asked.add(node);
            exchange.sendResponseHeaders(node.equals(namedPrimary) ? 200 : 503, -1);
            exchange.close();
        });
        monitor.start();
        return "http://127.0.0.1:" + monitor.getAddress().getPort();
    }

    @AfterEach
    void tearDown() {
        if (monitor != null) {
            monitor.stop(0);
        }
        Workspace.deleteTree(dir);
    }

    private Path node(String name) throws IOException {
        Path base = dir.resolve(name);
        Files.createDirectories(base);
        return base;
    }

    private int start(String hostname, Path base, Map<String, String> extraEnv) throws Exception {
        Path script = Workspace.get().deployDir.resolve("kubernetes/base/config/mysql-start.sh");
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("out.log").toFile());
        Map<String, String> env = pb.environment();
        env.put("PATH", dir.resolve("bin") + ":" + System.getenv("PATH"));
        env.put("HOSTNAME", hostname);
        env.put("CAM_MYSQL_BASE", base.toString());
        env.put("CAM_MYSQL_RUN", dir.resolve("run").toString());
        env.put("FAKE_ARGS", dir.resolve("args").toString());
        env.put("MYSQL_ROOT_PASSWORD", "rootpw");
        env.put("CAM_DB_USER", "cam");
        env.put("CAM_DB_PASSWORD", "apppw");
        env.put("CAM_DB_ADMIN_USER", "camadmin");
        env.put("CAM_DB_ADMIN_PASSWORD", "adminpw");
        env.put("CAM_DB_REPL_USER", "repl");
        env.put("CAM_DB_REPL_PASSWORD", "replpw");
        env.putAll(extraEnv);
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    private String init() throws IOException {
        return Files.readString(dir.resolve("run/cam-init.sql"));
    }

    private String args() throws IOException {
        return Files.readString(dir.resolve("args"));
    }

    @Test
    void nodeZeroBootstrapsThePrimaryWithBinloggedUsers() throws Exception {
        Path base = node("n0");
        assertThat(start("cam-mysql-0", base, Map.of())).isZero();
        String sql = init();
        assertThat(sql).doesNotContain("sql_log_bin=0")
                .contains("CREATE USER 'cam'@'%' IDENTIFIED BY 'apppw'", "CREATE USER 'camadmin'@'%'",
                        "GRANT REPLICATION SLAVE ON *.* TO 'repl'@'%'", "CREATE DATABASE IF NOT EXISTS `cam`",
                        // least privilege: the application's schema by name, never a pattern (`cam%` would also cover
                        // the monitor's `cam_monitor`), and nothing global that overrides read_only
                        "GRANT ALL PRIVILEGES ON `cam`.* TO 'cam'@'%'")
                .doesNotContain("`cam%`").doesNotContainPattern("(?i)GRANT [^;]*(SUPER|ALL PRIVILEGES ON \\*\\.\\*)[^;]*'cam'@");
        assertThat(sql.strip()).endsWith("SET GLOBAL read_only=OFF;");
        assertThat(args()).contains("--server-id=100", "--init-file=" + dir.resolve("run/cam-init.sql"),
                "--report-host=cam-mysql-0.cam-mysql");
    }

    @Test
    void nodeOneReplicatesFromNodeZeroAndStartsFenced() throws Exception {
        Path base = node("n1");
        assertThat(start("cam-mysql-1", base, Map.of("CAM_REPLICATION_MONITOR_URL", startMonitor()))).isZero();
        String sql = init();
        assertThat(sql).doesNotContain("CREATE USER")
                .contains("SET SESSION sql_log_bin=0;\nALTER USER 'root'@'localhost'")
                .contains("SOURCE_HOST='cam-mysql-0.cam-mysql'", "SOURCE_USER='repl'", "SOURCE_AUTO_POSITION=1",
                        "START REPLICA;");
        assertThat(sql.strip()).endsWith("SET GLOBAL super_read_only=ON;");
        assertThat(args()).contains("--server-id=101");
    }

    @Test
    void laterStartsAreFencedUnlessTheMonitorNamesTheNodePrimary() throws Exception {
        Map<String, String> withMonitor = Map.of("CAM_REPLICATION_MONITOR_URL", startMonitor());
        Path one = node("n1");
        assertThat(start("cam-mysql-1", one, withMonitor)).isZero();
        namedPrimary = "cam-mysql-1.cam-mysql:3306";   // after a promotion of node 1
        assertThat(start("cam-mysql-1", one, withMonitor)).isZero();
        assertThat(init()).doesNotContain("CHANGE REPLICATION SOURCE").doesNotContain("ALTER USER")
                .contains("SET GLOBAL read_only=OFF;");
        assertThat(asked).contains("cam-mysql-1.cam-mysql:3306");

        Path zero = node("n0");
        assertThat(start("cam-mysql-0", zero, withMonitor)).isZero();   // bootstrap: writable whatever the monitor says
        assertThat(init().strip()).endsWith("SET GLOBAL read_only=OFF;");
        // the old primary returns: the monitor names node 1, so node 0 is fenced
        assertThat(start("cam-mysql-0", zero, withMonitor)).isZero();
        assertThat(init().strip()).isEqualTo("SET GLOBAL read_only=ON;\nSET GLOBAL super_read_only=ON;");
        // and with no monitor at all it is fenced too
        monitor.stop(0);
        assertThat(start("cam-mysql-0", zero, withMonitor)).isZero();
        assertThat(init().strip()).isEqualTo("SET GLOBAL read_only=ON;\nSET GLOBAL super_read_only=ON;");
        assertThat(Files.readString(dir.resolve("out.log"))).contains("did not answer");
    }

    @Test
    void aMissingCredentialStopsTheStart() throws Exception {
        assertThat(start("cam-mysql-0", node("n0"), Map.of("CAM_DB_REPL_PASSWORD", ""))).isNotZero();
        assertThat(Files.readString(dir.resolve("out.log"))).contains("CAM_DB_REPL_PASSWORD");
        assertThat(dir.resolve("args")).doesNotExist();
    }
}
