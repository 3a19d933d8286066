package org.cam.management.access.service;

import io.quarkus.panache.common.Parameters;
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

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    public Page<Visible> visibleTargets(SecurityIdentity id, TargetService.Filter f, int page, int size) {
        if (!id.hasRole(Role.VIEWER)) {
            return new Page<>(List.of(), page, size, 0);
        }
        Parameters p = new Parameters();
        String where = f.where(p, "t");
        if (seesAll(id)) {
            List<Target> items = Target.<Target>find("from Target t where " + where + " order by t.name", p)
                    .page(page, size).list();
            return new Page<>(items.stream().map(t -> new Visible(t, AccessLevel.FULL_CONTROL)).toList(), page, size,
                    Target.count("from Target t where " + where, p));
        }
        long userId = userId(id);
        Set<Long> groups = groupIds(userId);
        p.and("gids", groups.isEmpty() ? Set.of(-1L) : groups).and("uid", userId).and("none", AccessLevel.NONE);
        // Visibility in SQL so paging and counting stay in the database even with 10,000s of targets.
        String visible = where
                + " and (t.id in (select st.id from Grant gr join gr.targetSet s join s.targets st"
                + "               where gr.group.id in :gids and gr.accessLevel <> :none)"
                + "   or t.id in (select a.target.id from Assignment a where a.user.id = :uid and a.accessLevel <> :none))"
                + " and t.id not in (select st.id from Grant gr join gr.targetSet s join s.targets st"
                + "               where gr.group.id in :gids and gr.accessLevel = :none)"
                + " and t.id not in (select a.target.id from Assignment a where a.user.id = :uid and a.accessLevel = :none)";
        List<Target> items = Target.<Target>find("from Target t where " + visible + " order by t.name", p)
                .page(page, size).list();
        Map<Long, AccessLevel> levels = levels(userId, groups, items.stream().map(t -> t.id).toList());
        boolean viewOnly = !id.hasRole(Role.USER);
        List<Visible> out = items.stream()
                .map(t -> new Visible(t, cap(levels.get(t.id), viewOnly)))
                .toList();
        return new Page<>(out, page, size, Target.count("from Target t where " + visible, p));
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
        AccessLevel l = levels(userId, groupIds(userId), List.of(targetId)).get(targetId);
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
