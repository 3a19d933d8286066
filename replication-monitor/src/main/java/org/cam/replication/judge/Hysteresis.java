package org.cam.replication.judge;

import java.time.Instant;

/**
 * Publishes a new state only after it was judged on N consecutive observations, so one slow query or a
 * restarting thread does not raise an alarm. The first observation is published at once (nothing to flap from).
 */
public final class Hysteresis {

    public record Published(ReplicationState state, String detail, Instant since, boolean changed,
            ReplicationState previous) {
    }

    private final int required;
    private ReplicationState current;
    private String currentDetail;
    private Instant currentSince;
    private ReplicationState candidate;
    private Instant candidateSince;
    private int streak;

    public Hysteresis(int required) {
        this.required = Math.max(1, required);
    }

    public synchronized Published accept(Judgement j, Instant at) {
        if (current == null) {
            current = j.state();
            currentDetail = j.detail();
            currentSince = at;
            return new Published(current, currentDetail, currentSince, true, null);
        }
        if (j.state() == current) {
            candidate = null;
            streak = 0;
            currentDetail = j.detail();
            return new Published(current, currentDetail, currentSince, false, current);
        }
        if (j.state() != candidate) {
            candidate = j.state();
            candidateSince = at;
            streak = 0;
        }
        streak++;
        if (streak >= required) {
            ReplicationState previous = current;
            current = candidate;
            currentDetail = j.detail();
            // "since" is when the condition was first seen, not when the hysteresis confirmed it
            currentSince = candidateSince;
            candidate = null;
            streak = 0;
            return new Published(current, currentDetail, currentSince, true, previous);
        }
        return new Published(current, currentDetail, currentSince, false, current);
    }
}
