package org.cam.management.target.service;

import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.common.Page;
import org.cam.management.common.RequestInfo;
import org.cam.management.identity.service.UserService;
import org.cam.management.target.Target;
import org.cam.management.target.TargetSet;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

@ApplicationScoped
public class TargetSetService {

    @Inject
    AuditService audit;

    @Inject
    RequestInfo info;

    public Page<TargetSet> list(int page, int size) {
        return list(null, page, size);
    }

    /** A page of sets by name; q: part of the name (any case). */
    public Page<TargetSet> list(String q, int page, int size) {
        if (q == null || q.isBlank()) {
            List<TargetSet> items = TargetSet.<TargetSet>findAll(Sort.by("name")).page(page, size).list();
            return new Page<>(items, page, size, TargetSet.count());
        }
        String like = "%" + q.toLowerCase() + "%";
        List<TargetSet> items = TargetSet.<TargetSet>find("lower(name) like ?1", Sort.by("name"), like)
                .page(page, size).list();
        return new Page<>(items, page, size, TargetSet.count("lower(name) like ?1", like));
    }

    /** A set with how many targets it holds (its members are paged apart: a set may hold thousands). */
    public record Counted(TargetSet set, long targetCount) {
    }

    /** A page of sets with their member counts, counted in one query for the whole page. */
    public Page<Counted> listCounted(String q, int page, int size) {
        Page<TargetSet> sets = list(q, page, size);
        Map<Long, Long> counts = new HashMap<>();
        if (!sets.items().isEmpty()) {
            List<Object[]> rows = TargetSet.getEntityManager().createQuery(
                            "select s.id, count(t) from TargetSet s join s.targets t where s.id in :ids group by s.id",
                            Object[].class)
                    .setParameter("ids", sets.items().stream().map(s -> s.id).toList()).getResultList();
            rows.forEach(r -> counts.put((Long) r[0], (Long) r[1]));
        }
        return sets.map(s -> new Counted(s, counts.getOrDefault(s.id, 0L)));
    }

    public Counted getCounted(long id) {
        TargetSet s = get(id);
        return new Counted(s, targetCount(s.id));
    }

    public long targetCount(long setId) {
        return TargetSet.getEntityManager()
                .createQuery("select count(t) from TargetSet s join s.targets t where s.id = :id", Long.class)
                .setParameter("id", setId).getSingleResult();
    }

    /**
     * A page of a set's members by name (then id, so that pages never overlap on equal names); q: part of the name
     * (any case). Paged in SQL: a set may hold every target of a data centre.
     */
    public Page<Target> members(long setId, String q, int page, int size) {
        get(setId);
        String like = q == null || q.isBlank() ? null : "%" + q.toLowerCase() + "%";
        String where = " from TargetSet s join s.targets t where s.id = :id"
                + (like == null ? "" : " and lower(t.name) like :q");
        var em = TargetSet.getEntityManager();
        var items = em.createQuery("select t" + where + " order by t.name, t.id", Target.class)
                .setParameter("id", setId);
        var total = em.createQuery("select count(t)" + where, Long.class).setParameter("id", setId);
        if (like != null) {
            items.setParameter("q", like);
            total.setParameter("q", like);
        }
        return Page.of(items, total, page, size);
    }

    public TargetSet get(long id) {
        TargetSet s = TargetSet.findById(id);
        if (s == null) {
            throw ApiException.notFound("target set", id);
        }
        return s;
    }

    @Transactional
    public TargetSet create(String name, String description) {
        if (TargetSet.count("name", name) > 0) {
            throw ApiException.conflict("name", "a target set named " + name + " exists");
        }
        TargetSet s = new TargetSet();
        s.name = name;
        s.description = description;
        s.persist();
        audit.record(info.actor(), "TARGET_SET_CREATE", "target-set", s.id, AuditService.SUCCESS,
                info.sourceAddress(), "name=" + name);
        return s;
    }

    @Transactional
    public TargetSet update(long id, String name, String description, long version) {
        TargetSet s = get(id);
        UserService.checkVersion(s.version, version);
        TargetSet other = TargetSet.find("name", name).firstResult();
        if (other != null && !other.id.equals(s.id)) {
            throw ApiException.conflict("name", "a target set named " + name + " exists");
        }
        s.name = name;
        s.description = description;
        io.quarkus.hibernate.orm.panache.Panache.flush();   // the answer must carry the new @Version
        audit.record(info.actor(), "TARGET_SET_UPDATE", "target-set", s.id, AuditService.SUCCESS,
                info.sourceAddress(), "name=" + name);
        return s;
    }

    @Transactional
    public void delete(long id) {
        TargetSet s = get(id);
        s.delete();
        audit.record(info.actor(), "TARGET_SET_DELETE", "target-set", id, AuditService.SUCCESS,
                info.sourceAddress(), "name=" + s.name);
    }

    @Transactional
    public void addTarget(long setId, long targetId) {
        TargetSet s = get(setId);
        Target t = Target.findById(targetId);
        if (t == null) {
            throw ApiException.notFound("target", targetId);
        }
        if (s.targets.add(t)) {
            audit.record(info.actor(), "TARGET_SET_ADD", "target-set", s.id, AuditService.SUCCESS,
                    info.sourceAddress(), "target=" + t.name);
        }
    }

    @Transactional
    public void removeTarget(long setId, long targetId) {
        TargetSet s = get(setId);
        if (!s.targets.removeIf(t -> t.id == targetId)) {
            throw ApiException.notFound("target in set", targetId);
        }
        audit.record(info.actor(), "TARGET_SET_REMOVE", "target-set", s.id, AuditService.SUCCESS,
                info.sourceAddress(), "targetId=" + targetId);
    }
}
