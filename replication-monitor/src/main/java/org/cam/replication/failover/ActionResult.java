package org.cam.replication.failover;

import java.util.List;

/** Outcome of a switchover or promote: the new primary and the steps taken, in order. */
public record ActionResult(String action, String newPrimary, String newSecondary, String outcome, List<String> steps) {
}
