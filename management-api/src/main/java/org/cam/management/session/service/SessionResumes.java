package org.cam.management.session.service;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.common.RowLock;
import org.cam.management.session.KvmSession;
import org.cam.management.session.SessionState;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A console whose broker went away asks to carry on the same session through another broker: the owner gets a
 * ticket for the session's next leg, which a broker claims once ({@link SessionClaims#claim}). Only the owner, only
 * a session that is still going (ACTIVE, or RESUMING within its window), never one an operator disconnected. A
 * recorded session's next leg is recorded in a file of its own (RecordingIds). Stock
 * VNC clients cannot resume (their one-time password is used up): they keep the broker's drain grace.
 */
@ApplicationScoped
public class SessionResumes {

    public record Resumed(KvmSession session, String ticket, int leg) {
    }

    @Inject
    SessionRequests requests;

    @Inject
    TicketService tickets;

    @Inject
    AuditService audit;

    @Inject
    EntityManager em;

    @Transactional
    public Resumed resume(SecurityIdentity id, String sessionId, String sourceAddress) {
        String user = id.getPrincipal().getName();
        KvmSession visible = requests.get(id, sessionId);   // 404 for a session the caller may not see
        RowLock.lock(em, "kvm_session", "id", visible.id);
        KvmSession s = KvmSession.findById(visible.id);
        em.refresh(s);
        if (!s.username.equals(user)) {
            throw deny(user, s, sourceAddress, 403, "only the session's owner (" + s.username + ") may resume it");
        }
        Instant now = Instant.now();
        if (s.terminateBy != null) {
            throw deny(user, s, sourceAddress, 409, "session " + s.id + " was disconnected by " + s.terminateBy
                    + "; it is not resumed");
        }
        switch (s.state) {
            case ENDED -> throw deny(user, s, sourceAddress, 409, "session " + s.id + " has ended ("
                    + s.endReason + ")");
            case PENDING -> throw deny(user, s, sourceAddress, 409, "session " + s.id
                    + " has not started: connect with its ticket");
            case RESUMING -> {
                if (!s.resumeUntil.isAfter(now)) {
                    throw deny(user, s, sourceAddress, 409, "session " + s.id + " could be resumed until "
                            + s.resumeUntil);
                }
            }
            case ACTIVE -> { }
            default -> throw new IllegalStateException("state " + s.state);
        }
        // Tickets carry milliseconds: one issued from now on is at or after this instant, every earlier one before.
        s.resumeRequestedAt = now.truncatedTo(ChronoUnit.MILLIS);
        String ticket = tickets.issue(s.id, s.username, s.targetId, s.mode);
        audit.record(user, "SESSION_RESUME", "session", s.id, AuditService.SUCCESS, sourceAddress,
                "leg=" + (s.legs + 1) + " state=" + s.state + " from broker=" + s.brokerId);
        return new Resumed(s, ticket, s.legs + 1);
    }

    private ApiException deny(String user, KvmSession s, String sourceAddress, int status, String detail) {
        audit.recordNow(user, "SESSION_RESUME", "session", s.id, AuditService.DENIED, sourceAddress, detail);
        return new ApiException(status, status == 403 ? "Forbidden" : "Conflict", detail, "id");
    }
}
