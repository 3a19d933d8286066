package org.cam.broker.management;

import java.time.Instant;

/**
 * How and when a session ended, and what it moved.
 *
 * @param recording the recording's outcome, or null when the session was not recorded
 * @param leg       the claim's leg: what this connection carried of the session
 * @param resumable the broker drained and asked the browser console to resume on another broker: the session goes on
 */
public record EndReport(String brokerId, String reason, long bytesFromClient, long bytesFromDevice, Instant endedAt,
                        RecordingOutcome recording, int leg, boolean resumable) {

    public EndReport(String brokerId, String reason, long bytesFromClient, long bytesFromDevice, Instant endedAt,
                     int leg, boolean resumable) {
        this(brokerId, reason, bytesFromClient, bytesFromDevice, endedAt, null, leg, resumable);
    }

    /**
     * @param digest   hex SHA-256 of the last segment (the chain's head): what playback verifies the file against
     * @param bytes    bytes of the recording file
     * @param segments segments written
     * @param complete false when writing failed before the end (the file holds the session up to {@code failure})
     * @param failure  why writing stopped early, or null
     */
    public record RecordingOutcome(String digest, long bytes, long segments, long durationMillis, boolean complete,
                                   String failure) {
    }
}
