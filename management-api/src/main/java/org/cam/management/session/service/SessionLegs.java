package org.cam.management.session.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.cam.management.session.KvmSession;
import org.cam.management.session.SessionLeg;

import java.time.Instant;

/**
 * The legs of a session (one per broker connection that carried it) and the session's bytes as their sum. Called
 * inside the claim and end transactions of {@link SessionClaims}, with the session row locked or just won.
 */
@ApplicationScoped
public class SessionLegs {

    @Inject
    EntityManager em;

    /** Leg {@code s.legs} has been claimed by {@code brokerId}: closes the one before it (if still open) and opens it. */
    void opened(KvmSession s, String brokerId, String clientAddress, Instant at) {
        if (s.legs > 1) {
            SessionLeg before = SessionLeg.of(s.id, s.legs - 1);
            if (before != null && before.endedAt == null) {
                // Its broker died, or still carries a connection the owner left: the claim moved the session on.
                before.endedAt = at;
                before.endReason = "resumed on " + brokerId;
            }
        }
        SessionLeg leg = new SessionLeg();
        leg.sessionId = s.id;
        leg.leg = s.legs;
        leg.brokerId = brokerId;
        leg.clientAddress = clientAddress;
        leg.claimedAt = at;
        leg.persist();
    }

    /**
     * A broker's end report for leg {@code number}: the leg's end (unless the next claim already closed it) and its
     * bytes; the session's bytes become the sum of what its legs reported.
     */
    void reported(KvmSession s, int number, String reason, Long fromClient, Long fromDevice, Instant at) {
        SessionLeg leg = SessionLeg.of(s.id, number);
        if (leg == null) {
            return;
        }
        if (leg.endedAt == null) {
            leg.endedAt = at;
            leg.endReason = reason == null || reason.length() <= 128 ? reason : reason.substring(0, 128);
        }
        leg.bytesFromClient = fromClient;
        leg.bytesFromDevice = fromDevice;
        Object[] sum = em.createQuery("select sum(l.bytesFromClient), sum(l.bytesFromDevice)"
                + " from SessionLeg l where l.sessionId = ?1", Object[].class).setParameter(1, s.id).getSingleResult();
        s.bytesFromClient = sum[0] == null ? null : ((Number) sum[0]).longValue();
        s.bytesFromDevice = sum[1] == null ? null : ((Number) sum[1]).longValue();
    }

    /** Closes the session's open leg, if any, when the session ends without a report for it (expiry, broker lost). */
    void closeOpen(KvmSession s, String reason, Instant at) {
        if (s.legs == 0) {
            return;
        }
        SessionLeg leg = SessionLeg.of(s.id, s.legs);
        if (leg != null && leg.endedAt == null) {
            leg.endedAt = at;
            leg.endReason = reason == null || reason.length() <= 128 ? reason : reason.substring(0, 128);
        }
    }
}
