package org.cam.replication.judge;

import java.util.List;
import org.cam.replication.observe.NodeObservation;

/**
 * One observation cycle of both nodes.
 *
 * @param lagMillis null when unknown (which is judged as a failure, never as zero)
 * @param errantGtids null when it could not be computed
 */
public record Snapshot(NodeObservation primary, NodeObservation secondary, Long lagMillis, List<String> errantGtids) {
}
