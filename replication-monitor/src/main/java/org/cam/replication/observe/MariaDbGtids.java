package org.cam.replication.observe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MariaDB GTID state arithmetic. @@gtid_binlog_state keeps the last GTID of every (domain, server_id) pair,
 * so a transaction the secondary wrote itself shows up as a pair the primary does not have, or with a higher
 * sequence than the primary's. (MySQL is handled by the server: GTID_SUBTRACT.)
 */
public final class MariaDbGtids {

    private MariaDbGtids() {
    }

    record Key(long domain, long server) {
    }

    static Map<Key, Long> parse(String state) {
        Map<Key, Long> out = new LinkedHashMap<>();
        if (state == null || state.isBlank()) {
            return out;
        }
        for (String part : state.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            String[] f = p.split("-");
            if (f.length != 3) {
                throw new IllegalArgumentException("not a MariaDB GTID: " + p);
            }
            out.merge(new Key(Long.parseLong(f[0]), Long.parseLong(f[1])), Long.parseLong(f[2]), Math::max);
        }
        return out;
    }

    /**
     * GTIDs in the secondary's binlog state that the primary never had. Read the secondary before the
     * primary: the primary only moves forward, so that order cannot produce a false positive.
     */
    public static List<String> errant(String secondaryBinlogState, String primaryBinlogState) {
        Map<Key, Long> primary = parse(primaryBinlogState);
        List<String> errant = new ArrayList<>();
        parse(secondaryBinlogState).forEach((key, seq) -> {
            Long p = primary.get(key);
            if (p == null || seq > p) {
                errant.add(key.domain() + "-" + key.server() + "-" + seq);
            }
        });
        return errant;
    }
}
