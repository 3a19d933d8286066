package org.cam.replication.failover;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cam.replication.observe.Flavour;
import org.cam.replication.observe.NodeConnection;
import org.cam.replication.observe.NodeEndpoint;
import org.cam.replication.observe.NodeObserver;
import org.cam.replication.observe.ReplicaStatus;
import org.cam.replication.observe.ReplicaStatusParser;
import org.jboss.logging.Logger;

/**
 * Changes the topology. Always fences (read_only, and super_read_only on MySQL) before it makes the other
 * node writable, so there is never a moment with two writable nodes by our hand.
 */
public final class Promoter {

    private static final Logger LOG = Logger.getLogger(Promoter.class);

    private final Duration connectTimeout;
    private final Duration switchoverTimeout;
    private final Duration catchUpTimeout;
    private final String replUser;
    private final String replPassword;

    public Promoter(Duration connectTimeout, Duration switchoverTimeout, Duration catchUpTimeout, String replUser,
            String replPassword) {
        this.connectTimeout = connectTimeout;
        this.switchoverTimeout = switchoverTimeout;
        this.catchUpTimeout = catchUpTimeout;
        this.replUser = replUser;
        this.replPassword = replPassword;
    }

    /** Planned: fence, drain, promote, re-point the old primary as replica of the new one. */
    public ActionResult switchover(NodeEndpoint primary, NodeEndpoint secondary) {
        List<String> steps = new ArrayList<>();
        Duration socket = switchoverTimeout.plusSeconds(10);
        try (Connection p = connect(primary, socket, "primary"); Connection s = connect(secondary, socket, "secondary")) {
            Flavour pf = flavour(p);
            Flavour sf = flavour(s);
            ReplicaStatus rs = replicaStatus(s, sf);
            if (rs == null || !rs.sqlRunning() || !rs.ioConnected()) {
                throw new TopologyException(409, "switchover needs running replication on " + secondary
                        + " (IO " + (rs == null ? "none" : rs.ioRunning()) + ", SQL "
                        + (rs == null ? "none" : rs.sqlRunning()) + "); use promote for an unplanned failover");
            }
            fence(p, pf);
            steps.add("fenced " + primary + " read-only");
            String target = gtidPosition(p, pf);
            steps.add("primary final GTID position " + target);
            if (!waitFor(s, sf, target, switchoverTimeout)) {
                unfence(p, pf);
                steps.add("secondary did not apply " + target + " within " + switchoverTimeout + "; unfenced "
                        + primary);
                throw new TopologyException(409, String.join("; ", steps));
            }
            steps.add(secondary + " applied everything up to " + target);
            makePrimary(s, sf);
            steps.add("stopped and reset replication on " + secondary + ", made it writable");
            try {
                repoint(p, pf, secondary);
                steps.add("re-pointed " + primary + " as replica of " + secondary.replicationHost() + ":"
                        + secondary.replicationPort());
            } catch (SQLException e) {
                steps.add("FAILED to re-point old primary (it stays fenced): " + NodeObserver.describe(e));
                return new ActionResult("SWITCHOVER", secondary.name(), primary.name(), "PARTIAL", steps);
            }
            return new ActionResult("SWITCHOVER", secondary.name(), primary.name(), "DONE", steps);
        } catch (SQLException e) {
            steps.add("failed: " + NodeObserver.describe(e));
            throw new TopologyException(502, String.join("; ", steps));
        }
    }

    /** Unplanned: promote the secondary, fencing the old primary when it can still be reached. */
    public ActionResult promote(NodeEndpoint primary, NodeEndpoint secondary, boolean force) {
        List<String> steps = new ArrayList<>();
        Duration socket = catchUpTimeout.plusSeconds(10);
        try (Connection s = connect(secondary, socket, "secondary")) {
            Flavour sf = flavour(s);
            ReplicaStatus rs = replicaStatus(s, sf);
            if (rs != null) {
                String received = sf == Flavour.MARIADB ? rs.receivedGtids() : mysqlReceived(rs);
                boolean applied = received == null || received.isBlank() || waitFor(s, sf, received, catchUpTimeout);
                if (!applied) {
                    String msg = "secondary has received " + received + " but not applied it all within "
                            + catchUpTimeout + " (SQL thread running: " + rs.sqlRunning() + ")";
                    if (!force) {
                        throw new TopologyException(409, msg + "; promote with force=true and a reason to accept "
                                + "losing those transactions", "force");
                    }
                    steps.add("FORCED although " + msg);
                } else {
                    steps.add("secondary applied everything it received (" + received + ")");
                }
            } else {
                steps.add("secondary had no replication configured");
            }
            steps.add(fenceIfReachable(primary));
            makePrimary(s, sf);
            steps.add("stopped and reset replication on " + secondary + ", made it writable");
            return new ActionResult("PROMOTE", secondary.name(), primary.name(), "DONE", steps);
        } catch (SQLException e) {
            steps.add("failed: " + NodeObserver.describe(e));
            throw new TopologyException(502, String.join("; ", steps));
        }
    }

    private String fenceIfReachable(NodeEndpoint primary) {
        try (Connection p = NodeConnection.open(primary, connectTimeout, Duration.ofSeconds(10))) {
            fence(p, flavour(p));
            return "fenced old primary " + primary + " read-only";
        } catch (SQLException e) {
            LOG.warnf("old primary %s not fenced: %s", primary, NodeObserver.describe(e));
            return "old primary " + primary + " unreachable, NOT fenced: fence it before it returns ("
                    + NodeObserver.describe(e) + ")";
        }
    }

    private Connection connect(NodeEndpoint ep, Duration socket, String role) {
        try {
            return NodeConnection.open(ep, connectTimeout, socket);
        } catch (SQLException e) {
            throw new TopologyException(409, role + " " + ep + " unreachable: " + NodeObserver.describe(e));
        }
    }

    static Flavour flavour(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT @@version")) {
            rs.next();
            return Flavour.of(rs.getString(1));
        }
    }

    static ReplicaStatus replicaStatus(Connection c, Flavour f) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = st.executeQuery(f == Flavour.MARIADB ? "SHOW SLAVE STATUS" : "SHOW REPLICA STATUS")) {
            if (!rs.next()) {
                return null;
            }
            Map<String, Object> row = new java.util.HashMap<>();
            for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
            }
            return ReplicaStatusParser.parse(row);
        }
    }

    private static String mysqlReceived(ReplicaStatus rs) {
        return rs.receivedGtids() == null ? null : rs.receivedGtids().replace("\n", "");
    }

    static void fence(Connection c, Flavour f) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(f == Flavour.MYSQL ? "SET GLOBAL super_read_only = 1" : "SET GLOBAL read_only = 1");
        }
    }

    public static void unfence(Connection c, Flavour f) throws SQLException {
        try (Statement st = c.createStatement()) {
            if (f == Flavour.MYSQL) {
                st.execute("SET GLOBAL super_read_only = 0");
            }
            st.execute("SET GLOBAL read_only = 0");
        }
    }

    static String gtidPosition(Connection c, Flavour f) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                f == Flavour.MARIADB ? "SELECT @@gtid_binlog_pos" : "SELECT @@global.gtid_executed")) {
            rs.next();
            return rs.getString(1);
        }
    }

    static boolean waitFor(Connection c, Flavour f, String gtids, Duration timeout) throws SQLException {
        String sql = f == Flavour.MARIADB ? "SELECT MASTER_GTID_WAIT(?, ?)" : "SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?)";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, gtids);
            ps.setDouble(2, Math.max(0.001, timeout.toMillis() / 1000.0));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 0;
            }
        }
    }

    static void makePrimary(Connection c, Flavour f) throws SQLException {
        try (Statement st = c.createStatement()) {
            if (f == Flavour.MARIADB) {
                st.execute("STOP SLAVE");
                st.execute("RESET SLAVE ALL");
            } else {
                st.execute("STOP REPLICA");
                st.execute("RESET REPLICA ALL");
            }
        }
        unfence(c, f);
    }

    private void repoint(Connection c, Flavour f, NodeEndpoint newPrimary) throws SQLException {
        String host = quote(newPrimary.replicationHost());
        int port = newPrimary.replicationPort();
        try (Statement st = c.createStatement()) {
            if (f == Flavour.MARIADB) {
                // the old primary's own binlog position is where it stands; make the slave position match it
                st.execute("SET GLOBAL gtid_slave_pos = @@gtid_binlog_pos");
                st.execute("CHANGE MASTER TO MASTER_HOST=" + host + ", MASTER_PORT=" + port + ", MASTER_USER="
                        + quote(replUser) + ", MASTER_PASSWORD=" + quote(replPassword)
                        + ", MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=1");
                st.execute("START SLAVE");
            } else {
                st.execute("CHANGE REPLICATION SOURCE TO SOURCE_HOST=" + host + ", SOURCE_PORT=" + port
                        + ", SOURCE_USER=" + quote(replUser) + ", SOURCE_PASSWORD=" + quote(replPassword)
                        + ", SOURCE_AUTO_POSITION=1, GET_SOURCE_PUBLIC_KEY=1, SOURCE_CONNECT_RETRY=1");
                st.execute("START REPLICA");
            }
        }
    }

    static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "''") + "'";
    }
}
