package org.cam.management.audit.service;

import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import io.quarkus.narayana.jta.QuarkusTransaction;
import org.cam.management.audit.AuditEvent;
import org.cam.management.datasource.PrimaryLoss;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

@ApplicationScoped
public class AuditService {
    private static final Logger LOG = Logger.getLogger(AuditService.class);
    public static final String SUCCESS = "SUCCESS";
    public static final String FAILURE = "FAILURE";
    public static final String DENIED = "DENIED";

    /** Records inside the caller's transaction, so a change and its audit commit or roll back together. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String actor, String action, String objectType, Object objectId, String outcome,
                       String sourceAddress, String details) {
        persist(actor, action, objectType, objectId, outcome, sourceAddress, details);
    }

    /** Records in a transaction of its own: for events that must survive the caller's failure (failed logins). */
    @Transactional(Transactional.TxType.REQUIRES_NEW)
    public void recordNow(String actor, String action, String objectType, Object objectId, String outcome,
                          String sourceAddress, String details) {
        persist(actor, action, objectType, objectId, outcome, sourceAddress, details);
    }

    /**
     * As {@link #recordNow} for refusals (a wrong password, a locked account) that must stay refusals while the
     * database takes no writes (a switchover's read-only moment, a failover's grace): the event then goes to the log,
     * which is its only record, instead of turning the 401 into a 503.
     */
    public void recordNowOrLog(String actor, String action, String objectType, Object objectId, String outcome,
                               String sourceAddress, String details) {
        try {
            QuarkusTransaction.requiringNew().run(
                    () -> persist(actor, action, objectType, objectId, outcome, sourceAddress, details));
        } catch (RuntimeException e) {
            PrimaryLoss loss = PrimaryLoss.of(e);
            if (loss == PrimaryLoss.NONE) {
                throw e;
            }
            LOG.warnf("audit event not stored (database %s): actor=%s action=%s %s=%s outcome=%s source=%s: %s", loss,
                    actor, action, objectType, objectId, outcome, sourceAddress, details);
        }
    }

    private void persist(String actor, String action, String objectType, Object objectId, String outcome,
                         String sourceAddress, String details) {
        AuditEvent e = new AuditEvent();
        e.occurredAt = Instant.now();
        e.actor = truncate(actor == null ? "anonymous" : actor, 128);
        e.action = action;
        e.objectType = objectType;
        e.objectId = objectId == null ? null : truncate(String.valueOf(objectId), 128);
        e.outcome = outcome;
        e.sourceAddress = sourceAddress;
        e.details = details;
        e.persist();
    }

    public record Filter(String actor, String action, String objectType, String objectId, String outcome,
                         Instant from, Instant to) {
    }

    public List<AuditEvent> find(Filter f, int page, int size) {
        Query q = query(f);
        return AuditEvent.<AuditEvent>find(q.where + " order by occurredAt desc, id desc", q.params)
                .page(page, size).list();
    }

    public long count(Filter f) {
        Query q = query(f);
        return AuditEvent.count(q.where, q.params);
    }

    private record Query(String where, Parameters params) {
    }

    private static Query query(Filter f) {
        List<String> where = new ArrayList<>();
        Parameters p = new Parameters();
        where.add("1 = 1");
        if (f.actor() != null) { where.add("actor = :actor"); p.and("actor", f.actor()); }
        if (f.action() != null) { where.add("action = :action"); p.and("action", f.action()); }
        if (f.objectType() != null) { where.add("objectType = :objectType"); p.and("objectType", f.objectType()); }
        if (f.objectId() != null) { where.add("objectId = :objectId"); p.and("objectId", f.objectId()); }
        if (f.outcome() != null) { where.add("outcome = :outcome"); p.and("outcome", f.outcome()); }
        if (f.from() != null) { where.add("occurredAt >= :from"); p.and("from", f.from()); }
        if (f.to() != null) { where.add("occurredAt < :to"); p.and("to", f.to()); }
        return new Query(String.join(" and ", where), p);
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
