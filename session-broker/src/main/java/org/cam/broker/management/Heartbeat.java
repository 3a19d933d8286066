package org.cam.broker.management;

import java.util.List;

/** Sent every heartbeat interval. */
public record Heartbeat(List<String> activeSessionIds, boolean draining) {
}
