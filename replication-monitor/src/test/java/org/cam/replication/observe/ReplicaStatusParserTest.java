package org.cam.replication.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * MariaDB rows recorded with `mariadb --batch -e 'SHOW SLAVE STATUS'` from MariaDB 10.11 (healthy, SQL thread
 * stopped, duplicate key, primary killed). No MySQL server is available here: the MySQL rows are written out in
 * MySQL 8.0's full SHOW REPLICA STATUS column set and value formats (plus one pre-8.0.22 SHOW SLAVE STATUS row).
 */
class ReplicaStatusParserTest {

    static Map<String, Object> recorded(String name) throws IOException {
        try (InputStream in = ReplicaStatusParserTest.class.getResourceAsStream("/recorded/" + name + ".tsv")) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            String[] header = lines.get(0).split("\t", -1);
            String[] values = lines.get(1).split("\t", -1);
            assertThat(values).hasSameSizeAs(header);
            Map<String, Object> row = new HashMap<>();
            for (int i = 0; i < header.length; i++) {
                String v = values[i];
                row.put(header[i], v.equals("NULL") ? null : v.replace("\\n", "\n").replace("\\t", "\t"));
            }
            return row;
        }
    }

    @Test
    void mariadbHealthy() throws IOException {
        ReplicaStatus s = ReplicaStatusParser.parse(recorded("mariadb-healthy"));
        assertThat(s.ioConnected()).isTrue();
        assertThat(s.sqlRunning()).isTrue();
        assertThat(s.secondsBehind()).isZero();
        assertThat(s.sourcePort()).isEqualTo(13326);
        assertThat(s.sourceServerId()).isEqualTo(1L);
        assertThat(s.receivedGtids()).isEqualTo("0-1-7");
        assertThat(s.executedGtids()).isNull();
        assertThat(s.lastSqlErrno()).isZero();
    }

    @Test
    void mariadbSqlStoppedHasNullLagNotZero() throws IOException {
        ReplicaStatus s = ReplicaStatusParser.parse(recorded("mariadb-sql-stopped"));
        assertThat(s.ioConnected()).isTrue();
        assertThat(s.sqlRunning()).isFalse();
        assertThat(s.secondsBehind()).isNull();
        assertThat(s.lastSqlErrno()).isZero();
    }

    @Test
    void mariadbDuplicateKey() throws IOException {
        ReplicaStatus s = ReplicaStatusParser.parse(recorded("mariadb-duplicate-key"));
        assertThat(s.sqlRunning()).isFalse();
        assertThat(s.lastSqlErrno()).isEqualTo(1062);
        assertThat(s.lastSqlError()).contains("Duplicate entry '1' for key 'PRIMARY'");
    }

    @Test
    void mariadbPrimaryKilled() throws IOException {
        ReplicaStatus s = ReplicaStatusParser.parse(recorded("mariadb-primary-killed"));
        assertThat(s.ioRunning()).isEqualTo("Connecting");
        assertThat(s.ioConnected()).isFalse();
        assertThat(s.ioThreadStopped()).isFalse();
        assertThat(s.lastIoErrno()).isEqualTo(2013);
        assertThat(ReplicaStatusParser.isConnectError(s.lastIoErrno())).isTrue();
    }

    @Test
    void mysql8Healthy() throws IOException {
        ReplicaStatus s = ReplicaStatusParser.parse(recorded("mysql8-healthy"));
        assertThat(s.ioConnected()).isTrue();
        assertThat(s.sqlRunning()).isTrue();
        assertThat(s.secondsBehind()).isZero();
        assertThat(s.sourceHost()).isEqualTo("db-primary.cam.svc");
        assertThat(s.sourcePort()).isEqualTo(3306);
        assertThat(s.receivedGtids()).isEqualTo("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-212");
        assertThat(s.executedGtids()).contains("\n8a94f357-aab4-11df-86ab-c80aa9429563:1-3");
        assertThat(s.ioState()).isEqualTo("Waiting for source to send event");
    }

    @Test
    void mysql8SqlError() throws IOException {
        ReplicaStatus s = ReplicaStatusParser.parse(recorded("mysql8-sql-error"));
        assertThat(s.sqlRunning()).isFalse();
        assertThat(s.secondsBehind()).isNull();
        assertThat(s.lastSqlErrno()).isEqualTo(1062);
        assertThat(s.lastSqlError()).startsWith("Coordinator stopped");
    }

    @Test
    void mysql8IoConnecting() throws IOException {
        ReplicaStatus s = ReplicaStatusParser.parse(recorded("mysql8-io-connecting"));
        assertThat(s.ioRunning()).isEqualTo("Connecting");
        assertThat(s.ioConnected()).isFalse();
        assertThat(s.lastIoErrno()).isEqualTo(2003);
        assertThat(s.lastIoError()).contains("error connecting to source");
    }

    @Test
    void mysql8SqlStoppedAndDelayed() throws IOException {
        ReplicaStatus stopped = ReplicaStatusParser.parse(recorded("mysql8-sql-stopped"));
        assertThat(stopped.sqlRunning()).isFalse();
        assertThat(stopped.lastSqlErrno()).isZero();
        ReplicaStatus delayed = ReplicaStatusParser.parse(recorded("mysql8-delayed"));
        assertThat(delayed.sqlDelaySeconds()).isEqualTo(30L);
        assertThat(delayed.secondsBehind()).isEqualTo(13L);
    }

    @Test
    void mysqlBefore8022UsesSlaveNames() throws IOException {
        ReplicaStatus old = ReplicaStatusParser.parse(recorded("mysql57-slave-healthy"));
        ReplicaStatus current = ReplicaStatusParser.parse(recorded("mysql8-healthy"));
        assertThat(old.ioConnected()).isTrue();
        assertThat(old.sourceHost()).isEqualTo(current.sourceHost());
        assertThat(old.secondsBehind()).isEqualTo(current.secondsBehind());
        assertThat(old.receivedGtids()).isEqualTo(current.receivedGtids());
    }

    @Test
    void jdbcTypedValuesAndCaseInsensitiveNames() {
        Map<String, Object> row = new HashMap<>();
        row.put("slave_io_running", "Yes");
        row.put("SLAVE_SQL_RUNNING", "Yes");
        row.put("Seconds_Behind_Master", BigInteger.valueOf(7));
        row.put("Master_Port", 3306L);
        row.put("Last_SQL_Errno", 0);
        row.put("Last_IO_Error", "".getBytes(StandardCharsets.UTF_8));
        ReplicaStatus s = ReplicaStatusParser.parse(row);
        assertThat(s.ioConnected()).isTrue();
        assertThat(s.sqlRunning()).isTrue();
        assertThat(s.secondsBehind()).isEqualTo(7L);
        assertThat(s.sourcePort()).isEqualTo(3306);
        assertThat(s.lastIoError()).isEmpty();
    }
}
