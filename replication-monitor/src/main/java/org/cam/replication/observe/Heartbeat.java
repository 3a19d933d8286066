package org.cam.replication.observe;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Writes the heartbeat row on the primary and turns a replicated row back into lag.
 *
 * <p>Lag is measured on the monitor's own monotonic clock: for every beat it remembers when the primary
 * acknowledged it. If the secondary has applied beat k but not beat k+1 (already written when we read), the
 * true lag lies between (read - written(k+1)) and (read - written(k)); we report the middle, so the error is
 * at most half the heartbeat interval. If the secondary has the newest beat, there is no evidence of lag and
 * we report 0. Neither host's wall clock takes part, so NTP skew between primary and secondary adds no error.
 * Only after a monitor restart (beats from an earlier epoch) we fall back to the wall clocks:
 * secondary NOW(6) - primary timestamp in the row, which is exact only with synchronised clocks.
 */
public final class Heartbeat {

    public static final String DDL_DATABASE = "CREATE DATABASE IF NOT EXISTS %s";
    public static final String DDL_TABLE = "CREATE TABLE IF NOT EXISTS %s.heartbeat ("
            + "id TINYINT UNSIGNED NOT NULL PRIMARY KEY, epoch BIGINT NOT NULL, seq BIGINT NOT NULL, "
            + "ts_micros BIGINT NOT NULL, written_by VARCHAR(64) NOT NULL) ENGINE=InnoDB";

    private static final int REMEMBERED = 20_000;

    private final String database;
    private final long epoch = new SecureRandom().nextLong() & Long.MAX_VALUE;
    private final ConcurrentSkipListMap<Long, Long> writtenNanos = new ConcurrentSkipListMap<>();
    private long seq;
    private volatile boolean paused;

    public Heartbeat(String database) {
        this.database = database;
    }

    public String table() {
        return database + ".heartbeat";
    }

    public String database() {
        return database;
    }

    /** Switchover/promote pause the beat so nothing is written on a node after it was fenced. */
    public void pause(boolean pause) {
        this.paused = pause;
    }

    public void ensureSchema(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.execute(DDL_DATABASE.formatted(database));
            st.execute(DDL_TABLE.formatted(database));
        }
    }

    /**
     * Writes one beat. The WHERE clause keeps a privileged monitor account from writing on a node that is
     * (or was just) fenced read-only.
     *
     * @return true when the row was written
     */
    public synchronized boolean beat(Connection c, String writer) throws SQLException {
        if (paused) {
            return false;
        }
        long next = seq + 1;
        try (PreparedStatement ps = c.prepareStatement("REPLACE INTO " + table()
                + " (id, epoch, seq, ts_micros, written_by) SELECT 1, ?, ?, "
                + "CAST(UNIX_TIMESTAMP(NOW(6)) * 1000000 AS SIGNED), ? FROM DUAL WHERE @@global.read_only = 0")) {
            ps.setLong(1, epoch);
            ps.setLong(2, next);
            ps.setString(3, writer);
            if (ps.executeUpdate() == 0) {
                return false;
            }
        }
        // autocommit: acknowledged means committed on the primary
        remember(next, System.nanoTime());
        seq = next;
        return true;
    }

    void remember(long beatSeq, long nanos) {
        writtenNanos.put(beatSeq, nanos);
        while (writtenNanos.size() > REMEMBERED) {
            writtenNanos.pollFirstEntry();
        }
    }

    long epoch() {
        return epoch;
    }

    /** Lag in milliseconds from a replicated beat, or null if it cannot be known. */
    public Long lagMillis(HeartbeatReading r) {
        if (r == null) {
            return null;
        }
        Long applied = r.epoch() == epoch ? writtenNanos.get(r.seq()) : null;
        if (applied == null) {
            return Math.max(0, (r.nodeNowMicros() - r.tsMicros()) / 1000);
        }
        Map.Entry<Long, Long> next = writtenNanos.higherEntry(r.seq());
        if (next == null || next.getValue() > r.readNanos()) {
            return 0L;
        }
        long upper = r.readNanos() - applied;
        long lower = r.readNanos() - next.getValue();
        return Math.max(0, (upper + lower) / 2 / 1_000_000);
    }
}
