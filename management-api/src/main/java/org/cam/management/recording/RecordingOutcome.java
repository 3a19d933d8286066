package org.cam.management.recording;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/**
 * What the broker reports about a session's recording with its end report (docs/protocols/broker-api.md).
 *
 * @param digest hex SHA-256 of the last segment: the chain head the file is verified against
 */
public record RecordingOutcome(@Pattern(regexp = "[0-9a-f]{64}") String digest, @Min(0) long bytes,
                               @Min(0) long segments, @Min(0) long durationMillis, boolean complete,
                               @Size(max = 255) String failure) {
}
