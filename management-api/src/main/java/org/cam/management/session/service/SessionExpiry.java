package org.cam.management.session.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.cam.management.audit.service.AuditService;
import org.cam.management.config.ManagementConfig;
import org.cam.management.session.KvmSession;
import org.cam.management.session.SessionState;

import java.time.Instant;
import java.util.List;

/**
 * Sessions nobody will end: PENDING past their deadline, RESUMING past their window, ACTIVE on a broker silent for
 * too long.
 */
@ApplicationScoped
public class SessionExpiry {

    @Inject
    ManagementConfig config;

    @Inject
    AuditService audit;

    @Inject
    EntityManager em;

    @Inject
    SessionEnds ends;

    @Scheduled(every = "10s", delayed = "10s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void expire() {
        QuarkusTransaction.requiringNew().run(this::expireNow);
    }

    /** PENDING past its deadline -> ENDED (expired); ACTIVE on a broker silent for too long -> ENDED (broker_lost). */
    public void expireNow() {
        Instant now = Instant.now();
        for (KvmSession s : KvmSession.<KvmSession>list("state = ?1 and expiresAt <= ?2", SessionState.PENDING, now)) {
            ends.end(s, "expired", now);
            audit.record("management-api", "SESSION_EXPIRE", "session", s.id, AuditService.SUCCESS, null,
                    "user=" + s.username + " target=" + s.targetId + " unclaimed");
        }
        for (KvmSession s : KvmSession.<KvmSession>list("state = ?1 and resumeUntil <= ?2", SessionState.RESUMING,
                now)) {
            // Its broker drained and no console came back for it in the window.
            ends.end(s, "broker_drained: not resumed", now);
            audit.record("management-api", "SESSION_END", "session", s.id, AuditService.SUCCESS, null,
                    "user=" + s.username + " target=" + s.targetId + " not resumed within the window");
        }
        Instant silentBefore = now.minus(config.sessions().brokerLostAfter());
        @SuppressWarnings("unchecked")
        List<String> silent = em.createNativeQuery("SELECT broker_id FROM broker_instance WHERE last_heartbeat < ?1")
                .setParameter(1, silentBefore).getResultList();
        for (String broker : silent) {
            for (KvmSession s : KvmSession.<KvmSession>list("brokerId = ?1 and state = ?2", broker,
                    SessionState.ACTIVE)) {
                ends.end(s, "broker_lost", now);
                audit.record("management-api", "SESSION_END", "session", s.id, AuditService.FAILURE, null,
                        "broker " + broker + " silent since before " + silentBefore + ": broker_lost");
            }
        }
    }
}
