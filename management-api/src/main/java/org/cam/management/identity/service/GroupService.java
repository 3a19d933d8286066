package org.cam.management.identity.service;

import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.common.Page;
import org.cam.management.common.RequestInfo;
import org.cam.management.identity.Source;
import org.cam.management.identity.User;
import org.cam.management.identity.UserGroup;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

@ApplicationScoped
public class GroupService {

    @Inject
    AuditService audit;

    @Inject
    RequestInfo info;

    public Page<UserGroup> list(String q, int page, int size) {
        String w = q == null || q.isBlank() ? "1 = 1" : "lower(name) like :q";
        Parameters p = q == null || q.isBlank() ? new Parameters() : Parameters.with("q", "%" + q.toLowerCase() + "%");
        List<UserGroup> items = UserGroup.<UserGroup>find(w, Sort.by("name"), p).page(page, size).list();
        return new Page<>(items, page, size, UserGroup.count(w, p));
    }

    /** A group with how many users it holds directly (its members are paged apart: a group may hold thousands). */
    public record Counted(UserGroup group, long memberCount) {
    }

    /** A page of groups with their member counts, counted in one query for the whole page. */
    @Transactional
    public Page<Counted> listCounted(String q, int page, int size) {
        Page<UserGroup> groups = list(q, page, size);
        Map<Long, Long> counts = new HashMap<>();
        if (!groups.items().isEmpty()) {
            UserGroup.getEntityManager().createQuery(
                            "select g.id, count(m) from UserGroup g join g.members m where g.id in :ids group by g.id",
                            Object[].class)
                    .setParameter("ids", groups.items().stream().map(g -> g.id).toList()).getResultList()
                    .forEach(r -> counts.put((Long) r[0], (Long) r[1]));
        }
        return groups.map(g -> new Counted(g, counts.getOrDefault(g.id, 0L)));
    }

    @Transactional
    public Counted getCounted(long id) {
        UserGroup g = get(id);
        return new Counted(g, memberCount(g.id));
    }

    public long memberCount(long groupId) {
        return UserGroup.getEntityManager()
                .createQuery("select count(m) from UserGroup g join g.members m where g.id = :id", Long.class)
                .setParameter("id", groupId).getSingleResult();
    }

    /** A member as lists show it: no roles or groups, so a page of users costs one query, not one per user. */
    public record Member(long id, String username, String displayName) {
    }

    /**
     * A page of a group's direct members by user name (unique, so pages never overlap); q: part of the user name
     * (any case). Paged in SQL: a directory group may hold every user of a data centre.
     */
    @Transactional
    public Page<Member> members(long groupId, String q, int page, int size) {
        get(groupId);
        String like = q == null || q.isBlank() ? null : "%" + q.toLowerCase() + "%";
        String where = " from UserGroup g join g.members m where g.id = :id"
                + (like == null ? "" : " and lower(m.username) like :q");
        var em = UserGroup.getEntityManager();
        var items = em.createQuery("select m.id, m.username, m.displayName" + where + " order by m.username",
                Object[].class).setParameter("id", groupId);
        var total = em.createQuery("select count(m)" + where, Long.class).setParameter("id", groupId);
        if (like != null) {
            items.setParameter("q", like);
            total.setParameter("q", like);
        }
        return Page.of(items, total, page, size).map(r -> new Member((Long) r[0], (String) r[1], (String) r[2]));
    }

    public UserGroup get(long id) {
        UserGroup g = UserGroup.findById(id);
        if (g == null) {
            throw ApiException.notFound("group", id);
        }
        return g;
    }

    @Transactional
    public UserGroup create(String name, String description) {
        if (UserGroup.byName(name).isPresent()) {
            throw ApiException.conflict("name", "group " + name + " exists");
        }
        UserGroup g = new UserGroup();
        g.name = name;
        g.description = description;
        g.source = Source.LOCAL;
        g.persist();
        audit.record(info.actor(), "GROUP_CREATE", "group", g.id, AuditService.SUCCESS, info.sourceAddress(),
                "name=" + name);
        return g;
    }

    @Transactional
    public UserGroup update(long id, String description, long version) {
        UserGroup g = get(id);
        UserService.checkVersion(g.version, version);
        g.description = description;
        io.quarkus.hibernate.orm.panache.Panache.flush();   // the answer must carry the new @Version
        audit.record(info.actor(), "GROUP_UPDATE", "group", g.id, AuditService.SUCCESS, info.sourceAddress(),
                "description");
        return g;
    }

    @Transactional
    public void delete(long id) {
        UserGroup g = get(id);
        if (g.source == Source.LDAP) {
            throw ApiException.conflict("id", "LDAP groups are managed by the directory sync");
        }
        UserGroup.<UserGroup>list("select c from UserGroup c join c.parents p where p = ?1", g)
                .forEach(c -> c.parents.remove(g));
        g.delete();
        audit.record(info.actor(), "GROUP_DELETE", "group", id, AuditService.SUCCESS, info.sourceAddress(),
                "name=" + g.name);
    }

    @Transactional
    public void addMember(long groupId, long userId) {
        UserGroup g = localGroup(groupId);
        User u = User.findById(userId);
        if (u == null) {
            throw ApiException.notFound("user", userId);
        }
        if (g.members.add(u)) {
            audit.record(info.actor(), "GROUP_MEMBER_ADD", "group", g.id, AuditService.SUCCESS, info.sourceAddress(),
                    "user=" + u.username);
        }
    }

    @Transactional
    public void removeMember(long groupId, long userId) {
        UserGroup g = localGroup(groupId);
        boolean removed = g.members.removeIf(u -> u.id == userId);
        if (!removed) {
            throw ApiException.notFound("member", userId);
        }
        audit.record(info.actor(), "GROUP_MEMBER_REMOVE", "group", g.id, AuditService.SUCCESS, info.sourceAddress(),
                "userId=" + userId);
    }

    /** Nests group {@code childId} inside {@code parentId}; cycles are refused. */
    @Transactional
    public void addParent(long childId, long parentId) {
        UserGroup child = localGroup(childId);
        UserGroup parent = get(parentId);
        if (effectiveGroupIds(Set.of(parent.id)).contains(child.id)) {
            throw ApiException.conflict("parentId", "nesting " + child.name + " in " + parent.name + " makes a cycle");
        }
        if (child.parents.add(parent)) {
            audit.record(info.actor(), "GROUP_NEST", "group", child.id, AuditService.SUCCESS, info.sourceAddress(),
                    "parent=" + parent.name);
        }
    }

    /** The given groups and every group they are nested in, transitively (one query: nesting edges are few). */
    public static Set<Long> effectiveGroupIds(Set<Long> direct) {
        java.util.Map<Long, List<Long>> parentsOf = new java.util.HashMap<>();
        for (Object[] edge : UserGroup.getEntityManager()
                .createQuery("select g.id, p.id from UserGroup g join g.parents p", Object[].class).getResultList()) {
            parentsOf.computeIfAbsent((Long) edge[0], k -> new java.util.ArrayList<>()).add((Long) edge[1]);
        }
        Set<Long> seen = new HashSet<>(direct);
        Deque<Long> todo = new ArrayDeque<>(direct);
        while (!todo.isEmpty()) {
            for (Long p : parentsOf.getOrDefault(todo.removeFirst(), List.of())) {
                if (seen.add(p)) {
                    todo.addLast(p);
                }
            }
        }
        return seen;
    }

    private UserGroup localGroup(long id) {
        UserGroup g = get(id);
        if (g.source == Source.LDAP) {
            throw ApiException.conflict("id", "membership of LDAP group " + g.name + " comes from the directory");
        }
        return g;
    }
}
