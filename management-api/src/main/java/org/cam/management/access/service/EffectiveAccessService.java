package org.cam.management.access.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.cam.management.access.AccessLevel;
import org.cam.management.common.ApiException;
import org.cam.management.common.Page;
import org.cam.management.identity.Role;
import org.cam.management.identity.User;
import org.cam.management.target.Target;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Effective access, explained: for a user, each target they may open (or are denied) and the rule that says so; for a
 * target, each user who may open it and why. The rules are AccessService's: grants to a group (members of groups
 * nested in it count), direct assignments, NONE denies, operators and admins open everything, viewers view only.
 */
@ApplicationScoped
public class EffectiveAccessService {

    /** One reason: a target, a user, the level the rule gives and the rule in words. */
    public record Reason(long targetId, String targetName, String username, AccessLevel accessLevel, String via) {
    }

    public record ForUser(long userId, String username, Set<String> roles, String roleRule, Page<Reason> reasons) {
    }

    public record ForTarget(long targetId, String targetName, String roleRule, Page<Reason> reasons) {
    }

    @Inject
    EntityManager em;

    @Inject
    AccessService access;

    public ForUser forUser(long userId, String q, int page, int size) {
        User u = User.findById(userId);
        if (u == null) {
            throw ApiException.notFound("user", userId);
        }
        Set<String> roles = new HashSet<>(u.roles);
        String roleRule = roles.contains(Role.ADMIN) || roles.contains(Role.OPERATOR)
                ? "operators and admins open every target with full control"
                : roles.contains(Role.USER) ? null
                : roles.contains(Role.VIEWER) ? "viewers: every level below is capped at view only"
                : "no CAM role: the user opens nothing whatever the rules below say";
        Set<Long> direct = new HashSet<>(em.createQuery(
                "select g.id from UserGroup g join g.members m where m.id = :uid", Long.class)
                .setParameter("uid", userId).getResultList());
        Set<Long> groups = access.groupIds(userId);
        String gids = groups.isEmpty() ? "-1" : groups.stream().map(String::valueOf).collect(Collectors.joining(","));
        List<Object> args = new ArrayList<>();
        String nameFilter = "";
        if (q != null && !q.isBlank()) {
            nameFilter = " and lower(t.name) like ?";
        }
        String sql = "select t.id, t.name, gr.access_level, g.id gid, g.name gname, s.name sname"
                + " from access_grant gr join user_group g on g.id = gr.group_id"
                + " join target_set s on s.id = gr.target_set_id join target_set_member m on m.set_id = s.id"
                + " join target t on t.id = m.target_id where gr.group_id in (" + gids + ")" + nameFilter
                + " union all select t.id, t.name, a.access_level, null, null, null from user_target_assignment a"
                + " join target t on t.id = a.target_id where a.user_id = ?" + nameFilter;
        if (!nameFilter.isEmpty()) {
            args.add("%" + q.toLowerCase() + "%");
        }
        args.add(userId);
        if (!nameFilter.isEmpty()) {
            args.add("%" + q.toLowerCase() + "%");
        }
        long total = ((Number) query("select count(*) from (" + sql + ") r", args).getSingleResult()).longValue();
        List<Reason> items = new ArrayList<>();
        for (Object row : query("select * from (" + sql + ") r order by r.name, r.gname limit " + size + " offset "
                + (long) page * size, args).getResultList()) {
            Object[] r = (Object[]) row;
            String via = r[3] == null ? "direct assignment"
                    : "group " + r[4] + (direct.contains(((Number) r[3]).longValue()) ? "" : " (through nesting)")
                    + " -> set " + r[5];
            items.add(new Reason(((Number) r[0]).longValue(), (String) r[1], u.username,
                    AccessLevel.valueOf((String) r[2]), via));
        }
        return new ForUser(u.id, u.username, roles, roleRule, new Page<>(items, page, size, total));
    }

    @SuppressWarnings("unchecked")
    public ForTarget forTarget(long targetId, int page, int size) {
        Target t = Target.findById(targetId);
        if (t == null) {
            throw ApiException.notFound("target", targetId);
        }
        // Groups granted a set that holds the target, then every group nested in them (their members count too).
        List<Object[]> grants = em.createNativeQuery("select g.id, g.name, gr.access_level, s.name from access_grant gr"
                + " join target_set_member m on m.set_id = gr.target_set_id join user_group g on g.id = gr.group_id"
                + " join target_set s on s.id = gr.target_set_id where m.target_id = ?1").setParameter(1, targetId)
                .getResultList();
        Map<Long, List<Long>> children = new HashMap<>();
        for (Object row : em.createNativeQuery("select child_id, parent_id from user_group_nesting").getResultList()) {
            Object[] e = (Object[]) row;
            children.computeIfAbsent(((Number) e[1]).longValue(), k -> new ArrayList<>()).add(((Number) e[0]).longValue());
        }
        List<Reason> reasons = new ArrayList<>();
        for (Object[] g : grants) {
            long granted = ((Number) g[0]).longValue();
            Set<Long> covered = new HashSet<>(List.of(granted));
            Deque<Long> todo = new ArrayDeque<>(covered);
            while (!todo.isEmpty()) {
                for (Long c : children.getOrDefault(todo.removeFirst(), List.of())) {
                    if (covered.add(c)) {
                        todo.add(c);
                    }
                }
            }
            String ids = covered.stream().map(String::valueOf).collect(Collectors.joining(","));
            for (Object row : em.createNativeQuery("select distinct u.username, gm.group_id from user_group_member gm"
                    + " join cam_user u on u.id = gm.user_id where gm.group_id in (" + ids + ")").getResultList()) {
                Object[] m = (Object[]) row;
                boolean nested = ((Number) m[1]).longValue() != granted;
                reasons.add(new Reason(targetId, t.name, (String) m[0], AccessLevel.valueOf((String) g[2]),
                        "group " + g[1] + (nested ? " (through a nested group)" : "") + " -> set " + g[3]));
            }
        }
        for (Object row : em.createNativeQuery("select u.username, a.access_level from user_target_assignment a"
                + " join cam_user u on u.id = a.user_id where a.target_id = ?1").setParameter(1, targetId)
                .getResultList()) {
            Object[] a = (Object[]) row;
            reasons.add(new Reason(targetId, t.name, (String) a[0], AccessLevel.valueOf((String) a[1]),
                    "direct assignment"));
        }
        reasons.sort(Comparator.comparing(Reason::username).thenComparing(Reason::via));
        int from = (int) Math.min(reasons.size(), (long) page * size);
        int to = Math.min(reasons.size(), from + size);
        return new ForTarget(t.id, t.name, "operators and admins open every target with full control; viewers view only",
                new Page<>(reasons.subList(from, to), page, size, reasons.size()));
    }

    private jakarta.persistence.Query query(String sql, List<Object> args) {
        jakarta.persistence.Query q = em.createNativeQuery(sql);
        for (int i = 0; i < args.size(); i++) {
            q.setParameter(i + 1, args.get(i));
        }
        return q;
    }
}
