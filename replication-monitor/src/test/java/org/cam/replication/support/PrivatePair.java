package org.cam.replication.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cam.replication.monitor.MonitorSettings;
import org.cam.replication.observe.NodeConnection;
import org.cam.replication.observe.NodeEndpoint;

/**
 * A MariaDB primary/replica pair of the tests' own, started through scripts/infra.sh on other ports and with
 * its state in the build folder, so breaking it never disturbs the shared pair other modules test against.
 */
public final class PrivatePair {

    public final int primaryPort;
    public final int replicaPort;
    private final Path dir;
    private final Path script;

    public PrivatePair(String name, int primaryPort, int replicaPort) {
        this.primaryPort = primaryPort;
        this.replicaPort = replicaPort;
        this.dir = Path.of(System.getProperty("cam.test.build-dir", "target")).toAbsolutePath().resolve("infra-" + name);
        this.script = Path.of(System.getProperty("cam.test.infra-script", "../scripts/infra.sh")).toAbsolutePath();
    }

    public void up() {
        run("db-up");
    }

    /** Throw the pair away and start a fresh one (after a test changed the topology). */
    public void rebuild() {
        run("db-stop-node", "primary", "--kill");
        run("db-stop-node", "replica", "--kill");
        run("db-down", "--purge");
        run("db-up");
    }

    public void down() {
        run("db-down", "--purge");
    }

    public void killPrimary() {
        run("db-stop-node", "primary", "--kill");
    }

    public void run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("bash");
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        try {
            Files.createDirectories(dir);
            Path log = dir.resolve("infra-calls.log");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().put("CAM_INFRA_DIR", dir.toString());
            pb.environment().put("CAM_DB_PRIMARY_PORT", Integer.toString(primaryPort));
            pb.environment().put("CAM_DB_REPLICA_PORT", Integer.toString(replicaPort));
            pb.environment().put("CAM_LDAP_PORT", Integer.toString(replicaPort + 2));
            Process p = pb.start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("infra.sh " + String.join(" ", args) + " timed out; see " + log);
            }
            if (p.exitValue() != 0) {
                List<String> lines = Files.readAllLines(log);
                throw new IllegalStateException("infra.sh " + String.join(" ", args) + " failed:\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size())));
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public NodeEndpoint primary() {
        return endpoint(primaryPort);
    }

    public NodeEndpoint replica() {
        return endpoint(replicaPort);
    }

    public static NodeEndpoint endpoint(int port) {
        return new NodeEndpoint("127.0.0.1:" + port, "127.0.0.1", port, "camadmin", "camadmin", "127.0.0.1", port);
    }

    public Connection admin(int port) throws SQLException {
        return NodeConnection.open(endpoint(port), Duration.ofSeconds(2), Duration.ofSeconds(60));
    }

    public Connection app(int port) throws SQLException {
        return NodeConnection.open(new NodeEndpoint("app", "127.0.0.1", port, "cam", "cam", "127.0.0.1", port),
                Duration.ofSeconds(2), Duration.ofSeconds(30));
    }

    public void exec(int port, String... statements) {
        try (Connection c = admin(port); Statement st = c.createStatement()) {
            for (String s : statements) {
                st.execute(s);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public long queryLong(int port, String sql) {
        try (Connection c = admin(port); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public String queryString(int port, String sql) {
        try (Connection c = admin(port); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Settings as the service defaults them, for a monitor pointed at this pair. */
    public MonitorSettings settings(NodeEndpoint primary, NodeEndpoint secondary) {
        return new MonitorSettings(primary, secondary, Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofMillis(400), Duration.ofMillis(800), 2, Duration.ofSeconds(2), "cam_monitor", "repl",
                "repl", Duration.ofSeconds(30), Duration.ofSeconds(5), false, Duration.ofSeconds(30),
                Duration.ofHours(1));
    }
}
