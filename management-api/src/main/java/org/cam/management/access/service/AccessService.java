package org.cam.management.access.service;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.inject.Inject;
import org.cam.management.access.AccessLevel;
import org.cam.management.access.ClipboardPolicy;
import org.cam.management.common.Page;
import org.cam.management.identity.Role;
import org.cam.management.identity.User;
import org.cam.management.identity.service.GroupService;
import org.cam.management.target.Target;
import org.cam.management.target.service.TargetService;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Who may open which target, and how. Rules:
 * <ul>
 *   <li>admin and operator: every target, full control (they run targets and sessions);</li>
 *   <li>user: targets granted to one of their groups (nested groups count) or assigned to them directly;
 *       several grants combine to the most permissive, except that an explicit NONE denies;</li>
 *   <li>viewer: the same targets, capped at view only; no role at all: nothing.</li>
 * </ul>
 */
@ApplicationScoped
public class AccessService {

    /** A target and the level the caller has on it. */
    public record Visible(Target target, AccessLevel access) {
    }

    @Inject
    EntityManager em;

    public static boolean seesAll(SecurityIdentity id) {
        return id.hasRole(Role.OPERATOR);
    }

    @Inject
    AccessCache cache;

    /** Level codes in SQL: 2 full control, 1 view only, 0 none. */
    private static final String LEVEL = "case %s when 'FULL_CONTROL' then 2 when 'VIEW_ONLY' then 1 else 0 end";

    /** Past this many rows skipped, the page is found from the visible set (one pass) instead of the name index. */
    private static final int DEEP_OFFSET = 1000;

    /**
     * A page of the targets the caller may open, by name. Visibility is decided in SQL for the page alone: walking the
     * name index and checking each target's grants, assignment and denials through their indexes stops after one
     * page, whatever the number of visible targets; the total comes from the access cache (one count per user and
     * filter while nothing changes). Then one query loads the page's targets with their tags.
     */
    public Page<Visible> visibleTargets(SecurityIdentity id, TargetService.Filter f, int page, int size) {
        if (!id.hasRole(Role.VIEWER)) {
            return new Page<>(List.of(), page, size, 0);
        }
        List<Object> args = new ArrayList<>();
        String where = nativeWhere(f, args);
        long offset = (long) page * size;
        if (seesAll(id)) {
            List<Long> ids = longs(nativeQuery("select t.id from target t where " + where
                    + " order by t.name limit " + size + " offset " + offset, args).getResultList());
            long total = cache.get(List.of("all", f), () -> ((Number) nativeQuery(
                    "select count(*) from target t where " + where, args).getSingleResult()).longValue());
            return new Page<>(load(ids).stream().map(t -> new Visible(t, AccessLevel.FULL_CONTROL)).toList(), page,
                    size, total);
        }
        long userId = userId(id);
        Set<Long> groups = cache.get(List.of("groups", userId), () -> groupIds(userId));
        String gids = groups.isEmpty() ? "-1" : groups.stream().map(String::valueOf).collect(Collectors.joining(","));
        String viaGrant = " from target_set_member m join access_grant gr on gr.target_set_id = m.set_id"
                + " where m.target_id = t.id and gr.group_id in (" + gids + ")";
        String viaAssignment = " from user_target_assignment a where a.user_id = " + userId + " and a.target_id = t.id";
        String best = "greatest(coalesce((select max(" + LEVEL.formatted("gr.access_level") + ")" + viaGrant + "), 0),"
                + " coalesce((select " + LEVEL.formatted("a.access_level") + viaAssignment + "), 0))";
        String denied = "(select count(*)" + viaGrant + " and gr.access_level = 'NONE')"
                + " + (select count(*)" + viaAssignment + " and a.access_level = 'NONE')";
        List<Object[]> rows;
        if (offset < DEEP_OFFSET) {
            // Scalar subqueries per row (not semi-joins, which MariaDB would materialize for the whole set).
            rows = rows(nativeQuery("select t.id, " + best + " best, " + denied + " denied from target t where " + where
                    + " having best > 0 and denied = 0 order by t.name limit " + size + " offset " + offset, args)
                    .getResultList());
        } else {
            rows = rows(nativeQuery("select t.id, " + best + " best from target t where " + where + " and t.id in ("
                    + visibleIds(gids, userId) + ") order by t.name limit " + size + " offset " + offset, args)
                    .getResultList());
        }
        boolean viewOnly = !id.hasRole(Role.USER);
        Map<Long, AccessLevel> levels = new HashMap<>();
        rows.forEach(r -> levels.put(((Number) r[0]).longValue(),
                ((Number) r[1]).intValue() >= 2 ? AccessLevel.FULL_CONTROL : AccessLevel.VIEW_ONLY));
        List<Visible> out = load(rows.stream().map(r -> ((Number) r[0]).longValue()).toList()).stream()
                .map(t -> new Visible(t, cap(levels.get(t.id), viewOnly))).toList();
        long total = cache.get(List.of("visible", userId, groups, f), () -> ((Number) nativeQuery(
                "select count(*) from target t where " + where + " and t.id in (" + visibleIds(gids, userId) + ")",
                args).getSingleResult()).longValue());
        return new Page<>(out, page, size, total);
    }

    /**
     * What decides which targets a caller sees and at which level, as a cache key: everyone who sees all shares one
     * key; a user's is their id and whether their role caps them at view only (their groups belong to the id, and a
     * membership change is a write that starts the cache over). Empty for no role.
     */
    public Object visibilityKey(SecurityIdentity id) {
        if (!id.hasRole(Role.VIEWER)) {
            return "none";
        }
        return seesAll(id) ? "all" : List.of(userId(id), !id.hasRole(Role.USER));
    }

    /** The ids a user may open, as one set-based subquery (granted or assigned, minus explicit denials). */
    private static String visibleIds(String gids, long userId) {
        String granted = "select m.target_id from target_set_member m join access_grant gr on gr.target_set_id = m.set_id"
                + " where gr.group_id in (" + gids + ") and gr.access_level ";
        String assigned = "select a.target_id from user_target_assignment a where a.user_id = " + userId
                + " and a.access_level ";
        return "select v.target_id from (" + granted + "<> 'NONE' union " + assigned + "<> 'NONE') v"
                + " where v.target_id not in (" + granted + "= 'NONE' union " + assigned + "= 'NONE')";
    }

    /** The filter as SQL on target t; its values go to args (bound, never concatenated). */
    private static String nativeWhere(TargetService.Filter f, List<Object> args) {
        List<String> w = new ArrayList<>();
        w.add("1 = 1");
        if (f.q() != null && !f.q().isBlank()) {
            w.add("lower(t.name) like ?");
            args.add("%" + f.q().toLowerCase() + "%");
        }
        if (f.tag() != null && !f.tag().isBlank()) {
            w.add("exists (select 1 from target_location_tag tg where tg.target_id = t.id and tg.tag = ?)");
            args.add(f.tag());
        }
        if (f.policy() != null) {
            w.add("t.access_policy = ?");
            args.add(f.policy().name());
        }
        return String.join(" and ", w);
    }

    private jakarta.persistence.Query nativeQuery(String sql, List<Object> args) {
        jakarta.persistence.Query q = em.createNativeQuery(sql);
        for (int i = 0; i < args.size(); i++) {
            q.setParameter(i + 1, args.get(i));
        }
        return q;
    }

    /** The targets with these ids and their tags, in the ids' order (one query). */
    private List<Target> load(List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Map<Long, Target> byId = new HashMap<>();
        em.createQuery("select distinct t from Target t left join fetch t.locationTags where t.id in :ids", Target.class)
                .setParameter("ids", ids).getResultList().forEach(t -> byId.put(t.id, t));
        return ids.stream().map(byId::get).filter(java.util.Objects::nonNull).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Object[]> rows(List<?> r) {
        return (List<Object[]>) r;
    }

    private static List<Long> longs(List<?> r) {
        return r.stream().map(o -> ((Number) o).longValue()).toList();
    }

    /** The caller's level on one target; NONE when it may not open it (for the session half). */
    public AccessLevel levelOn(SecurityIdentity id, long targetId) {
        if (!id.hasRole(Role.VIEWER)) {
            return AccessLevel.NONE;
        }
        if (seesAll(id)) {
            return AccessLevel.FULL_CONTROL;
        }
        long userId = userId(id);
        AccessLevel l = levels(userId, cache.get(List.of("groups", userId), () -> groupIds(userId)), List.of(targetId))
                .get(targetId);
        return l == null ? AccessLevel.NONE : cap(l, !id.hasRole(Role.USER));
    }

    /**
     * The clipboard policy of the caller's rules on one target: the most permissive among the grants and assignments
     * that give access (operators and admins: BOTH). Call after {@link #levelOn} allowed the target.
     */
    public ClipboardPolicy clipboardOn(SecurityIdentity id, long targetId) {
        if (seesAll(id)) {
            return ClipboardPolicy.BOTH;
        }
        long userId = userId(id);
        Set<Long> groups = groupIds(userId);
        ClipboardPolicy out = null;
        if (!groups.isEmpty()) {
            for (ClipboardPolicy c : em.createQuery("select gr.clipboard from Grant gr join gr.targetSet s join s.targets st"
                            + " where gr.group.id in :gids and st.id = :tid and gr.accessLevel <> :none",
                            ClipboardPolicy.class)
                    .setParameter("gids", groups).setParameter("tid", targetId).setParameter("none", AccessLevel.NONE)
                    .getResultList()) {
                out = ClipboardPolicy.combine(out, c);
            }
        }
        for (ClipboardPolicy c : em.createQuery("select a.clipboard from Assignment a where a.user.id = :uid"
                        + " and a.target.id = :tid and a.accessLevel <> :none", ClipboardPolicy.class)
                .setParameter("uid", userId).setParameter("tid", targetId).setParameter("none", AccessLevel.NONE)
                .getResultList()) {
            out = ClipboardPolicy.combine(out, c);
        }
        return out == null ? ClipboardPolicy.NONE : out;
    }

    /** Direct groups of the user plus every group they are nested in. */
    public Set<Long> groupIds(long userId) {
        List<Long> direct = em.createQuery("select g.id from UserGroup g join g.members m where m.id = :uid", Long.class)
                .setParameter("uid", userId).getResultList();
        return GroupService.effectiveGroupIds(new HashSet<>(direct));
    }

    private Map<Long, AccessLevel> levels(long userId, Set<Long> groups, Collection<Long> targetIds) {
        Map<Long, AccessLevel> out = new HashMap<>();
        if (targetIds.isEmpty()) {
            return out;
        }
        if (!groups.isEmpty()) {
            em.createQuery("select st.id, gr.accessLevel from Grant gr join gr.targetSet s join s.targets st"
                            + " where gr.group.id in :gids and st.id in :tids", Object[].class)
                    .setParameter("gids", groups).setParameter("tids", targetIds).getResultList()
                    .forEach(r -> out.merge((Long) r[0], (AccessLevel) r[1], AccessLevel::combine));
        }
        em.createQuery("select a.target.id, a.accessLevel from Assignment a where a.user.id = :uid and a.target.id in :tids",
                        Object[].class)
                .setParameter("uid", userId).setParameter("tids", targetIds).getResultList()
                .forEach(r -> out.merge((Long) r[0], (AccessLevel) r[1], AccessLevel::combine));
        out.values().removeIf(l -> l == AccessLevel.NONE);
        return out;
    }

    private static AccessLevel cap(AccessLevel l, boolean viewOnly) {
        if (l == null) {
            return AccessLevel.NONE;
        }
        return viewOnly && l == AccessLevel.FULL_CONTROL ? AccessLevel.VIEW_ONLY : l;
    }

    private static long userId(SecurityIdentity id) {
        Object attr = id.getAttribute("userId");
        if (attr instanceof Long l) {
            return l;
        }
        // JWT identities: the subject is the user id; fall back to the name.
        if (id.getPrincipal() instanceof org.eclipse.microprofile.jwt.JsonWebToken jwt && jwt.getSubject() != null) {
            try {
                return Long.parseLong(jwt.getSubject());
            } catch (NumberFormatException ignored) {
                // not ours
            }
        }
        return User.byUsername(id.getPrincipal().getName()).map(u -> u.id).orElse(-1L);
    }
}
