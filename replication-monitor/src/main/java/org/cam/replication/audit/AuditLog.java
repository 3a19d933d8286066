package org.cam.replication.audit;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import org.jboss.logging.Logger;

/** Who changed the topology and why: to the log always, and to an audit table in the monitor database. */
public final class AuditLog {

    private static final Logger LOG = Logger.getLogger("org.cam.replication.audit");

    private final String database;

    public AuditLog(String database) {
        this.database = database;
    }

    public void ensureSchema(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS " + database + ".audit (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
                    + "at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6), actor VARCHAR(128) NOT NULL, "
                    + "action VARCHAR(32) NOT NULL, reason VARCHAR(1024) NOT NULL, outcome VARCHAR(32) NOT NULL, "
                    + "detail TEXT) ENGINE=InnoDB");
        }
    }

    public void log(String actor, String action, String reason, String outcome, String detail) {
        LOG.infof("AUDIT action=%s actor=%s outcome=%s reason=\"%s\" detail=\"%s\"", action, actor, outcome, reason,
                detail);
    }

    /** Persist on a writable node (the primary after the action). */
    public void persist(Connection c, String actor, String action, String reason, String outcome, String detail)
            throws SQLException {
        ensureSchema(c);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + database
                + ".audit (actor, action, reason, outcome, detail) VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, actor);
            ps.setString(2, action);
            ps.setString(3, reason);
            ps.setString(4, outcome);
            ps.setString(5, detail);
            ps.executeUpdate();
        }
    }
}
