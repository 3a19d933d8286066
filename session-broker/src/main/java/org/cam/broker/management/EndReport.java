package org.cam.broker.management;

import java.time.Instant;

/** How and when a session ended, and what it moved. */
public record EndReport(String brokerId, String reason, long bytesFromClient, long bytesFromDevice, Instant endedAt) {
}
