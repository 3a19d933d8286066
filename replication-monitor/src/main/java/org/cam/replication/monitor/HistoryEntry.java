package org.cam.replication.monitor;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import org.cam.replication.judge.ReplicationState;

/** A state transition or a topology action (switchover, promote), newest last in the history. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HistoryEntry(Instant at, String kind, ReplicationState from, ReplicationState to, Instant since,
        String detail, String actor, String reason, String outcome) {

    public static HistoryEntry transition(Instant at, ReplicationState from, ReplicationState to, Instant since,
            String detail) {
        return new HistoryEntry(at, "STATE", from, to, since, detail, null, null, null);
    }

    public static HistoryEntry action(Instant at, String kind, String actor, String reason, String outcome,
            String detail) {
        return new HistoryEntry(at, kind, null, null, null, detail, actor, reason, outcome);
    }
}
