package org.cam.replication.observe;

import java.math.BigInteger;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads SHOW REPLICA/SLAVE STATUS rows in both column dialects: MariaDB and MySQL before 8.0.22 use
 * Slave_* / *_Master names (MariaDB keeps them even for SHOW REPLICA STATUS); MySQL 8.0.22+ uses
 * Replica_* / *_Source names. Pure: no JDBC, so it is unit-tested with recorded rows.
 */
public final class ReplicaStatusParser {

    private ReplicaStatusParser() {
    }

    public static ReplicaStatus parse(Map<String, ?> rawRow) {
        Map<String, Object> row = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        row.putAll(rawRow);
        return new ReplicaStatus(
                text(row, "Source_Host", "Master_Host"),
                intOrNull(row, "Source_Port", "Master_Port"),
                longOrNull(row, "Source_Server_Id", "Master_Server_Id"),
                text(row, "Replica_IO_Running", "Slave_IO_Running"),
                "Yes".equalsIgnoreCase(text(row, "Replica_SQL_Running", "Slave_SQL_Running")),
                text(row, "Replica_IO_State", "Slave_IO_State"),
                text(row, "Replica_SQL_Running_State", "Slave_SQL_Running_State"),
                longOrNull(row, "Seconds_Behind_Source", "Seconds_Behind_Master"),
                intOrZero(row, "Last_IO_Errno"),
                text(row, "Last_IO_Error"),
                intOrZero(row, "Last_SQL_Errno"),
                text(row, "Last_SQL_Error"),
                // MySQL: Retrieved_Gtid_Set; MariaDB: Gtid_IO_Pos
                text(row, "Retrieved_Gtid_Set", "Gtid_IO_Pos"),
                text(row, "Executed_Gtid_Set"),
                longOrNull(row, "SQL_Delay"));
    }

    private static Object value(Map<String, Object> row, String... names) {
        for (String name : names) {
            if (row.containsKey(name)) {
                return row.get(name);
            }
        }
        return null;
    }

    static String text(Map<String, Object> row, String... names) {
        Object v = value(row, names);
        if (v == null) {
            return null;
        }
        if (v instanceof byte[] bytes) {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        String s = v.toString();
        // recorded rows from the mysql CLI spell SQL NULL as "NULL"
        return s.equals("NULL") ? null : s;
    }

    static Long longOrNull(Map<String, Object> row, String... names) {
        Object v = value(row, names);
        if (v == null) {
            return null;
        }
        if (v instanceof Number n) {
            return n instanceof BigInteger b ? b.longValue() : n.longValue();
        }
        String s = text(row, names);
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Integer intOrNull(Map<String, Object> row, String... names) {
        Long l = longOrNull(row, names);
        return l == null ? null : l.intValue();
    }

    static int intOrZero(Map<String, Object> row, String... names) {
        Integer i = intOrNull(row, names);
        return i == null ? 0 : i;
    }

    /** MySQL client error numbers the IO thread reports when it cannot reach or lost its source. */
    public static boolean isConnectError(int errno) {
        return errno == 2002 || errno == 2003 || errno == 2005 || errno == 2006 || errno == 2013
                || errno == 2026 || errno == 1158 || errno == 1159;
    }
}
