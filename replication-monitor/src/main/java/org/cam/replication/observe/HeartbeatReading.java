package org.cam.replication.observe;

/**
 * The heartbeat row as replicated to a node, with the moment the monitor read it.
 *
 * @param tsMicros         the primary's clock when the beat was written
 * @param nodeNowMicros    the reading node's clock at the read (only for the clock-based fallback)
 * @param readNanos        the monitor's monotonic clock at the read
 */
public record HeartbeatReading(long epoch, long seq, long tsMicros, long nodeNowMicros, long readNanos) {
}
