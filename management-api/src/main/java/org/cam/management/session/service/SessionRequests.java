package org.cam.management.session.service;

import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.cam.management.common.RowLock;
import jakarta.transaction.Transactional;
import org.cam.management.access.AccessLevel;
import org.cam.management.access.service.AccessService;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.common.Page;
import org.cam.management.common.SecretBox;
import org.cam.management.config.ManagementConfig;
import org.cam.management.identity.User;
import org.cam.management.session.KvmSession;
import org.cam.management.session.SessionState;
import org.cam.management.target.AccessPolicy;
import org.cam.management.target.Target;
import org.cam.management.target.TargetStatus;
import org.cam.management.target.service.TargetStatusService;
import org.cam.protocol.ticket.TicketMode;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;

/**
 * The user's side of a session: who may open which target and how (grant, target status, access policy), the PENDING
 * session and its ticket and one-time password, the lists, and an operator's disconnect.
 */
@ApplicationScoped
public class SessionRequests {
    private static final SecureRandom RANDOM = new SecureRandom();

    public record Issued(KvmSession session, String ticket, String vncPassword) {
    }

    @Inject
    ManagementConfig config;

    @Inject
    AccessService access;

    @Inject
    TargetStatusService statuses;

    @Inject
    TicketService tickets;

    @Inject
    SecretBox secrets;

    @Inject
    AuditService audit;

    @Inject
    EntityManager em;

    @Inject
    SessionEnds ends;

    @Inject
    org.cam.management.recording.service.RecordingPolicies recordingPolicies;

    /**
     * Checks grant, status and policy, then records a PENDING session. The target row is locked for the policy
     * check, so concurrent requests on one target are decided one after the other.
     */
    @Transactional
    public Issued request(SecurityIdentity id, long targetId, TicketMode mode, String sourceAddress) {
        String user = id.getPrincipal().getName();
        AccessLevel level = access.levelOn(id, targetId);
        if (level == AccessLevel.NONE) {
            throw deny(user, targetId, sourceAddress, 403, "targetId", "no grant: you may not open target " + targetId);
        }
        if (mode == TicketMode.CONTROL && level != AccessLevel.FULL_CONTROL) {
            throw deny(user, targetId, sourceAddress, 403, "mode", "view only: your grant on target " + targetId
                    + " does not allow control");
        }
        RowLock.lock(em, "target", "id", targetId);
        Target t = Target.findById(targetId);
        if (t == null) {
            throw ApiException.notFound("target", targetId);
        }
        TargetStatus st = statuses.of(t).status();
        switch (st) {
            case UNASSIGNED, UNAVAILABLE, UPDATING_DEVICE, BUSY -> throw deny(user, targetId, sourceAddress, 409,
                    "targetId", st.name().toLowerCase().replace('_', ' ') + ": target " + t.name + " is "
                            + st.label().toLowerCase());
            default -> { }
        }
        Instant now = Instant.now();
        List<KvmSession> live = KvmSession.list("targetId = ?1 and (state in (?2, ?5) or (state = ?3 and expiresAt > ?4))",
                t.id, SessionState.ACTIVE, SessionState.PENDING, now, SessionState.RESUMING);
        AccessPolicy policy = t.accessPolicy;
        if (policy == AccessPolicy.EXCLUSIVE && !live.isEmpty()) {
            throw deny(user, targetId, sourceAddress, 409, "targetId", "exclusive: target " + t.name
                    + " is in use by " + users(live));
        }
        if (policy == AccessPolicy.SHARED_VIEW && mode == TicketMode.CONTROL
                && live.stream().anyMatch(s -> s.mode == TicketMode.CONTROL)) {
            throw deny(user, targetId, sourceAddress, 409, "mode", "busy: target " + t.name
                    + " already has a controller (" + users(live.stream().filter(s -> s.mode == TicketMode.CONTROL)
                    .toList()) + "); ask for view");
        }
        KvmSession s = new KvmSession();
        s.id = newId();
        s.userId = User.byUsername(user).map(u -> u.id).orElse(null);
        s.username = user;
        s.targetId = t.id;
        s.mode = mode;
        s.clipboard = access.clipboardOn(id, t.id);
        s.state = SessionState.PENDING;
        org.cam.management.recording.service.RecordingPolicies.Decision rec = recordingPolicies.decide(t);
        s.recorded = rec.enabled();
        s.recordingFailClosed = rec.failClosed();
        String password = SecretBox.randomText(8);
        s.vncPasswordEnc = secrets.encrypt(password, s.passwordContext());
        s.createdAt = now;
        s.expiresAt = now.plus(config.sessions().ticketTtl());
        s.persist();
        String ticket = tickets.issue(s.id, user, t.id, mode);
        audit.record(user, "SESSION_REQUEST", "session", s.id, AuditService.SUCCESS, sourceAddress,
                "target=" + t.id + " (" + t.name + ") mode=" + mode + " policy=" + policy + " clipboard=" + s.clipboard
                        + (s.recorded ? " recorded=true" + (s.recordingFailClosed ? " (fail-closed)" : "") : ""));
        return new Issued(s, ticket, password);
    }

    private ApiException deny(String user, long targetId, String sourceAddress, int status, String field,
                              String detail) {
        audit.recordNow(user, "SESSION_REQUEST", "target", targetId, AuditService.DENIED, sourceAddress, detail);
        return new ApiException(status, status == 403 ? "Forbidden" : "Conflict", detail, field);
    }

    private static String users(Collection<KvmSession> sessions) {
        return String.join(", ", sessions.stream().map(s -> s.username).distinct().sorted().toList());
    }

    private static String newId() {
        byte[] b = new byte[15];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);   // 20 characters
    }

    public Page<KvmSession> list(SecurityIdentity id, SessionState state, Long targetId, int page, int size) {
        List<String> w = new ArrayList<>();
        Parameters p = new Parameters();
        w.add("1 = 1");
        if (!AccessService.seesAll(id) && !id.hasRole(org.cam.management.identity.Role.AUDITOR)) {
            w.add("username = :user");
            p.and("user", id.getPrincipal().getName());
        }
        if (state != null) { w.add("state = :state"); p.and("state", state); }
        if (targetId != null) { w.add("targetId = :target"); p.and("target", targetId); }
        String where = String.join(" and ", w);
        return new Page<>(KvmSession.<KvmSession>find(where, Sort.descending("createdAt"), p).page(page, size).list(),
                page, size, KvmSession.count(where, p));
    }

    public KvmSession get(SecurityIdentity id, String sessionId) {
        KvmSession s = KvmSession.findById(sessionId);
        if (s == null || (!AccessService.seesAll(id) && !id.hasRole(org.cam.management.identity.Role.AUDITOR)
                && !s.username.equals(id.getPrincipal().getName()))) {
            throw ApiException.notFound("session", sessionId);
        }
        return s;
    }

    /**
     * Admin disconnect: a PENDING or RESUMING session ends at once; an ACTIVE one is marked and its broker learns it
     * from the
     * next heartbeat answer ({@code terminate}), then reports the end.
     *
     * @return true when the session ended now, false when the broker has been asked
     */
    @Transactional
    public boolean disconnect(String sessionId, String admin, String sourceAddress) {
        return disconnect(sessionId, admin, sourceAddress, null);
    }

    /** As above, with the operator's message to the user (kept with the session, shown by the web console). */
    @Transactional
    public boolean disconnect(String sessionId, String admin, String sourceAddress, String message) {
        RowLock.lock(em, "kvm_session", "id", sessionId);
        KvmSession s = KvmSession.findById(sessionId);
        if (s == null) {
            throw ApiException.notFound("session", sessionId);
        }
        if (s.state == SessionState.ENDED) {
            throw ApiException.conflict("id", "session " + sessionId + " has ended");
        }
        audit.record(admin, "SESSION_DISCONNECT", "session", s.id, AuditService.SUCCESS, sourceAddress,
                "state=" + s.state + " user=" + s.username + " broker=" + s.brokerId
                        + (message == null || message.isBlank() ? "" : " message=" + message));
        s.terminateMessage = message == null || message.isBlank() ? null : message.strip();
        if (s.state == SessionState.PENDING || s.state == SessionState.RESUMING) {
            // Nobody carries it: a PENDING session's ticket is dead from now on, a RESUMING one is never resumed.
            ends.end(s, "disconnected by " + admin, Instant.now());
            return true;
        }
        s.terminateBy = admin;
        return false;
    }
}
