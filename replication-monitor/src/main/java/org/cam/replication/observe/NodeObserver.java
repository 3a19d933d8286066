package org.cam.replication.observe;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;
import java.sql.Statement;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** Observes one node over its {@link NodeConnection}. Never throws: failures become an unreachable observation. */
public final class NodeObserver {

    private final NodeConnection connection;
    private final String heartbeatTable;
    private final Clock clock;
    /** MySQL before 8.0.22 rejects SHOW REPLICA STATUS; remembered after the first syntax error. */
    private volatile boolean useSlaveSyntax;

    public NodeObserver(NodeConnection connection, String heartbeatTable, Clock clock) {
        this.connection = connection;
        this.heartbeatTable = heartbeatTable;
        this.clock = clock;
    }

    public NodeEndpoint endpoint() {
        return connection.endpoint();
    }

    public NodeConnection connection() {
        return connection;
    }

    public NodeObservation observe() {
        NodeEndpoint ep = connection.endpoint();
        try {
            Connection c = connection.get();
            try (Statement st = c.createStatement()) {
                String version;
                long serverId;
                boolean readOnly;
                try (ResultSet rs = st.executeQuery("SELECT @@version, @@server_id, @@read_only")) {
                    rs.next();
                    version = rs.getString(1);
                    serverId = rs.getLong(2);
                    readOnly = rs.getInt(3) != 0;
                }
                Flavour flavour = Flavour.of(version);
                Boolean superReadOnly = null;
                String gtidPosition;
                String binlogState = null;
                String slavePos = null;
                if (flavour == Flavour.MARIADB) {
                    try (ResultSet rs = st.executeQuery(
                            "SELECT @@gtid_current_pos, @@gtid_binlog_state, @@gtid_slave_pos")) {
                        rs.next();
                        gtidPosition = rs.getString(1);
                        binlogState = rs.getString(2);
                        slavePos = rs.getString(3);
                    }
                } else {
                    try (ResultSet rs = st.executeQuery("SELECT @@super_read_only, @@global.gtid_executed")) {
                        rs.next();
                        superReadOnly = rs.getInt(1) != 0;
                        gtidPosition = rs.getString(2);
                    }
                }
                ReplicaStatus replica = replicaStatus(st, flavour);
                HeartbeatReading heartbeat = heartbeat(st);
                return new NodeObservation(ep.name(), ep.address(), clock.instant(), true, null, flavour, version,
                        serverId, readOnly, superReadOnly, gtidPosition, binlogState, slavePos, replica, heartbeat);
            }
        } catch (SQLException | RuntimeException e) {
            connection.invalidate();
            return NodeObservation.unreachable(ep, clock.instant(), describe(e));
        }
    }

    private ReplicaStatus replicaStatus(Statement st, Flavour flavour) throws SQLException {
        // MariaDB 10.5+ accepts SHOW REPLICA STATUS but 10.4 does not; SHOW SLAVE STATUS works on all MariaDB.
        String sql = flavour == Flavour.MARIADB || useSlaveSyntax ? "SHOW SLAVE STATUS" : "SHOW REPLICA STATUS";
        try (ResultSet rs = st.executeQuery(sql)) {
            Map<String, Object> row = firstRow(rs);
            return row == null ? null : ReplicaStatusParser.parse(row);
        } catch (SQLSyntaxErrorException e) {
            if (flavour == Flavour.MYSQL && !useSlaveSyntax) {
                useSlaveSyntax = true;
                return replicaStatus(st, flavour);
            }
            throw e;
        }
    }

    private HeartbeatReading heartbeat(Statement st) {
        try (ResultSet rs = st.executeQuery("SELECT epoch, seq, ts_micros, "
                + "CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS SIGNED) FROM " + heartbeatTable + " WHERE id = 1")) {
            long readNanos = System.nanoTime();
            if (!rs.next()) {
                return null;
            }
            return new HeartbeatReading(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), readNanos);
        } catch (SQLException e) {
            // table not created/replicated yet: lag falls back to Seconds_Behind_*
            return null;
        }
    }

    static Map<String, Object> firstRow(ResultSet rs) throws SQLException {
        if (!rs.next()) {
            return null;
        }
        ResultSetMetaData md = rs.getMetaData();
        Map<String, Object> row = new HashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            row.put(md.getColumnLabel(i), rs.getObject(i));
        }
        return row;
    }

    public static String describe(Throwable e) {
        String msg = e.getMessage();
        return e.getClass().getSimpleName() + (msg == null ? "" : ": " + msg.lines().findFirst().orElse(""));
    }
}
