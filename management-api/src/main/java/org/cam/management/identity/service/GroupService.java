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
import java.util.HashSet;
import java.util.List;
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
