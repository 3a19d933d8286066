package org.cam.management.alarm.service;

import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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

    /**
     * Raises in a transaction of its own (callers are pollers and failed enrolments whose work may roll back).
     * Concurrent first raises lock the same index gap and may deadlock; the victim is simply repeated.
     */
    public Alarm raiseNow(Raise r) {
        return Transactions.retryingDeadlocks("raise " + r.key(), () -> raise(r));
    }

    public boolean clearNow(String source, String key, String detail) {
        return Transactions.retryingDeadlocks("clear " + key, () -> clear(source, key, detail));
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public Alarm raise(Raise r) {
        String active = activeKey(r.source(), r.key());
        org.cam.management.common.RowLock.lock(Alarm.getEntityManager(), "alarm", "active_key", active);
        Alarm a = Alarm.find("activeKey", active).firstResult();
        if (a != null) {
            a.message = truncate(r.message());
            a.severity = r.severity();
            return a;
        }
        a = new Alarm();
        a.source = r.source();
        a.alarmKey = r.key();
        a.severity = r.severity() == null ? "MAJOR" : r.severity();
        a.state = Alarm.RAISED;
        a.objectType = r.objectType();
        a.objectId = r.objectId();
        a.message = truncate(r.message());
        a.raisedAt = Instant.now();
        a.activeKey = active;
        a.persist();
        LOG.warnf("ALARM raised %s %s (%s): %s", r.source(), r.key(), a.severity, r.message());
        audit.record(r.source(), "ALARM_RAISE", "alarm", a.id, AuditService.SUCCESS, null,
                "key=" + r.key() + " severity=" + a.severity + " " + a.message);
        return a;
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public boolean clear(String source, String key, String detail) {
        org.cam.management.common.RowLock.lock(Alarm.getEntityManager(), "alarm", "active_key", activeKey(source, key));
        Alarm a = Alarm.find("activeKey", activeKey(source, key)).firstResult();
        if (a == null) {
            return false;
        }
        a.state = Alarm.CLEARED;
        a.clearedAt = Instant.now();
        a.activeKey = null;
        LOG.infof("ALARM cleared %s %s: %s", source, key, detail);
        audit.record(source, "ALARM_CLEAR", "alarm", a.id, AuditService.SUCCESS, null,
                "key=" + key + (detail == null ? "" : " " + detail));
        return true;
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
