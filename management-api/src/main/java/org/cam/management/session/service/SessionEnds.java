package org.cam.management.session.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.session.KvmSession;
import org.cam.management.session.SessionEnded;
import org.cam.management.session.SessionState;

import java.time.Instant;

/**
 * How every session ends, whoever ends it: ENDED with the time and the reason, and {@link SessionEnded} fired for what
 * must follow once the ending transaction commits (the device forgets the session's credentials).
 */
@ApplicationScoped
public class SessionEnds {

    @Inject
    jakarta.enterprise.event.Event<SessionEnded> ended;

    @Inject
    SessionLegs legs;

    void end(KvmSession s, String reason, Instant at) {
        ended.fire(new SessionEnded(s.id, s.claimedAt != null));   // observers act once this transaction commits
        s.state = SessionState.ENDED;
        s.endedAt = at;
        s.endReason = reason == null ? null : reason.length() > 128 ? reason.substring(0, 128) : reason;
        s.resumeRequestedAt = null;
        s.resumeUntil = null;
        legs.closeOpen(s, s.endReason, at);
    }
}
