package org.cam.replication.monitor;

import java.time.Instant;
import java.util.List;
import org.cam.replication.judge.ReplicationState;
import org.cam.replication.observe.NodeObservation;

/** What GET /status returns: the published state and both nodes' last observation. */
public record StatusView(
        ReplicationState state,
        Instant since,
        String detail,
        Long lagMillis,
        NodeObservation primary,
        NodeObservation secondary,
        List<String> errantGtids,
        Instant observedAt,
        long observations,
        boolean autoFailover) {
}
