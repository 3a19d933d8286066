package org.cam.replication.observe;

/**
 * One row of SHOW REPLICA/SLAVE STATUS, independent of the server's column dialect.
 *
 * @param ioRunning      raw IO thread state: "Yes", "No" or "Connecting"
 * @param secondsBehind  null when the server reports NULL (threads stopped or unknown): never read as zero
 * @param receivedGtids  what the IO thread received (MySQL Retrieved_Gtid_Set, MariaDB Gtid_IO_Pos)
 * @param executedGtids  MySQL Executed_Gtid_Set; null on MariaDB (there: @@gtid_slave_pos)
 */
public record ReplicaStatus(
        String sourceHost,
        Integer sourcePort,
        Long sourceServerId,
        String ioRunning,
        boolean sqlRunning,
        String ioState,
        String sqlState,
        Long secondsBehind,
        int lastIoErrno,
        String lastIoError,
        int lastSqlErrno,
        String lastSqlError,
        String receivedGtids,
        String executedGtids,
        Long sqlDelaySeconds) {

    /** IO thread connected to its source and receiving. */
    public boolean ioConnected() {
        return "Yes".equalsIgnoreCase(ioRunning);
    }

    public boolean ioThreadStopped() {
        return "No".equalsIgnoreCase(ioRunning);
    }
}
