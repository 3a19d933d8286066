package org.cam.replication.alarm;

import java.time.Instant;

/**
 * What the webhook receives. {@code action} is RAISE or CLEAR; {@code alarm} is a stable key
 * ("replication.PRIMARY_DOWN") so the receiver can pair a clear with its raise.
 */
public record AlarmEvent(String action, String alarm, String state, String severity, Instant since, Instant at,
        String detail, String primary, String secondary, String source) {
}
