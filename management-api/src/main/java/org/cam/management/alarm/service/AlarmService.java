package org.cam.management.alarm.service;

import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.transaction.Transactional;
import org.cam.management.alarm.Alarm;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.common.Page;
import org.cam.management.common.Transactions;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Raise / clear / acknowledge. At most one RAISED alarm per (source, key): raising it again only refreshes the
 * message; clearing an alarm that is not raised does nothing. Both are therefore safe to repeat.
 */
@ApplicationScoped
public class AlarmService {
    private static final Logger LOG = Logger.getLogger(AlarmService.class);
    public static final String SELF = "management-api";

    @Inject
    AuditService audit;

    public record Raise(String source, String key, String severity, String objectType, String objectId,
                        String message) {
    }

    /** Raises in a transaction of its own (callers are pollers and failed enrolments whose work may roll back). */
    public Alarm raiseNow(Raise r) {
        return Transactions.retryingConflicts("raise " + r.key(), () -> raise(r));
    }

    public boolean clearNow(String source, String key, String detail) {
        return Transactions.retryingConflicts("clear " + key, () -> clear(source, key, detail));
    }

    /**
     * One atomic upsert on the unique active key: a first raise inserts the row, a repeated one refreshes its
     * message and severity. Nothing is read or locked before the write, so concurrent raises of different alarms
     * take no gap locks (a {@code SELECT ... FOR UPDATE} on an absent key would lock the gap, and two such lockers
     * that then insert deadlock); concurrent raises of the same alarm meet on its index record and one waits.
     * The update bumps {@code version}, so the affected-row count tells an insert (1) from an update (2) with or
     * without the driver's found-rows flag.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Alarm raise(Raise r) {
        String active = activeKey(r.source(), r.key());
        EntityManager em = Alarm.getEntityManager();
        String severity = r.severity() == null ? "MAJOR" : r.severity();
        String message = truncate(r.message());
        int affected = em.createNativeQuery("INSERT INTO alarm (source, alarm_key, severity, state, object_type,"
                        + " object_id, message, raised_at, active_key, version)"
                        + " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0)"
                        + " ON DUPLICATE KEY UPDATE message = VALUES(message), severity = VALUES(severity),"
                        + " version = version + 1")
                .setParameter(1, r.source()).setParameter(2, r.key()).setParameter(3, severity)
                .setParameter(4, Alarm.RAISED).setParameter(5, r.objectType()).setParameter(6, r.objectId())
                .setParameter(7, message).setParameter(8, Instant.now()).setParameter(9, active).executeUpdate();
        Alarm a = loadActive(em, active);
        if (affected == 1) {
            LOG.warnf("ALARM raised %s %s (%s): %s", r.source(), r.key(), a.severity, r.message());
            audit.record(r.source(), "ALARM_RAISE", "alarm", a.id, AuditService.SUCCESS, null,
                    "key=" + r.key() + " severity=" + a.severity + " " + a.message);
        }
        return a;
    }

    /**
     * Locks the open alarm's index record if there is one (at READ COMMITTED a locking read of an absent key locks
     * nothing), then closes it. Freeing the active key lets the next raise of the same alarm open a new row.
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean clear(String source, String key, String detail) {
        EntityManager em = Alarm.getEntityManager();
        List<?> ids = em.createNativeQuery("SELECT id FROM alarm WHERE active_key = ?1 FOR UPDATE")
                .setParameter(1, activeKey(source, key)).getResultList();
        if (ids.isEmpty()) {
            return false;
        }
        Alarm a = Alarm.findById(((Number) ids.get(0)).longValue());
        em.refresh(a);
        a.state = Alarm.CLEARED;
        a.clearedAt = Instant.now();
        a.activeKey = null;
        LOG.infof("ALARM cleared %s %s: %s", source, key, detail);
        audit.record(source, "ALARM_CLEAR", "alarm", a.id, AuditService.SUCCESS, null,
                "key=" + key + (detail == null ? "" : " " + detail));
        return true;
    }

    /** The open alarm just written by native SQL, as an entity that reflects the row (not a stale cached copy). */
    private static Alarm loadActive(EntityManager em, String active) {
        Number id = (Number) em.createNativeQuery("SELECT id FROM alarm WHERE active_key = ?1")
                .setParameter(1, active).getSingleResult();
        Alarm a = Alarm.findById(id.longValue());
        em.refresh(a);
        return a;
    }

    @Transactional
    public Alarm acknowledge(long id, String by, String sourceAddress) {
        Alarm a = Alarm.findById(id);
        if (a == null) {
            throw ApiException.notFound("alarm", id);
        }
        if (a.acknowledgedAt == null) {
            a.acknowledgedAt = Instant.now();
            a.acknowledgedBy = by;
            audit.record(by, "ALARM_ACKNOWLEDGE", "alarm", a.id, AuditService.SUCCESS, sourceAddress,
                    "key=" + a.alarmKey);
        }
        return a;
    }

    public boolean isRaised(String source, String key) {
        return Alarm.count("activeKey", activeKey(source, key)) > 0;
    }

    public Page<Alarm> list(String state, String source, String key, Boolean acknowledged, int page, int size) {
        List<String> w = new ArrayList<>();
        Parameters p = new Parameters();
        w.add("1 = 1");
        if (state != null) { w.add("state = :state"); p.and("state", state); }
        if (source != null) { w.add("source = :source"); p.and("source", source); }
        if (key != null) { w.add("alarmKey = :key"); p.and("key", key); }
        if (acknowledged != null) { w.add(acknowledged ? "acknowledgedAt is not null" : "acknowledgedAt is null"); }
        String where = String.join(" and ", w);
        List<Alarm> items = Alarm.<Alarm>find(where, Sort.descending("raisedAt", "id"), p).page(page, size).list();
        return new Page<>(items, page, size, Alarm.count(where, p));
    }

    static String activeKey(String source, String key) {
        return source + "|" + key;
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 2048 ? s : s.substring(0, 2048);
    }
}
