package org.cam.management.access.service;

import io.quarkus.panache.common.Parameters;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.cam.management.access.AccessLevel;
import org.cam.management.access.ClipboardPolicy;
import org.cam.management.access.Assignment;
import org.cam.management.access.Grant;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.common.Page;
import org.cam.management.common.RequestInfo;
import org.cam.management.identity.User;
import org.cam.management.identity.UserGroup;
import org.cam.management.identity.service.UserService;
import org.cam.management.target.Target;
import org.cam.management.target.TargetSet;

import java.util.List;

@ApplicationScoped
public class GrantService {

    @Inject
    AuditService audit;

    @Inject
    RequestInfo info;

    public Page<Grant> list(Long groupId, Long targetSetId, int page, int size) {
        String w = "(:g is null or group.id = :g) and (:s is null or targetSet.id = :s) order by id";
        Parameters p = Parameters.with("g", groupId).and("s", targetSetId);
        List<Grant> items = Grant.<Grant>find(w, p).page(page, size).list();
        return new Page<>(items, page, size, Grant.count("(:g is null or group.id = :g) and (:s is null or targetSet.id = :s)", p));
    }

    public Grant get(long id) {
        Grant g = Grant.findById(id);
        if (g == null) {
            throw ApiException.notFound("grant", id);
        }
        return g;
    }

    @Transactional
    public Grant create(long groupId, long targetSetId, AccessLevel level, ClipboardPolicy clipboard) {
        UserGroup group = UserGroup.findById(groupId);
        if (group == null) {
            throw new ApiException(404, "Not Found", "group " + groupId + " does not exist", "groupId");
        }
        TargetSet set = TargetSet.findById(targetSetId);
        if (set == null) {
            throw new ApiException(404, "Not Found", "target set " + targetSetId + " does not exist", "targetSetId");
        }
        if (Grant.count("group = ?1 and targetSet = ?2", group, set) > 0) {
            throw ApiException.conflict("targetSetId", "group " + group.name + " already has a grant on " + set.name
                    + "; update it instead");
        }
        Grant g = new Grant();
        g.group = group;
        g.targetSet = set;
        g.accessLevel = level;
        g.clipboard = clipboard == null ? ClipboardPolicy.BOTH : clipboard;
        g.persist();
        audit.record(info.actor(), "GRANT_CREATE", "grant", g.id, AuditService.SUCCESS, info.sourceAddress(),
                "group=" + group.name + " targetSet=" + set.name + " level=" + level + " clipboard=" + g.clipboard);
        return g;
    }

    @Transactional
    public Grant update(long id, AccessLevel level, ClipboardPolicy clipboard, long version) {
        Grant g = get(id);
        UserService.checkVersion(g.version, version);
        AccessLevel old = g.accessLevel;
        ClipboardPolicy oldClipboard = g.clipboard;
        g.accessLevel = level;
        if (clipboard != null) {
            g.clipboard = clipboard;
        }
        io.quarkus.hibernate.orm.panache.Panache.flush();   // the answer must carry the new @Version
        audit.record(info.actor(), "GRANT_UPDATE", "grant", g.id, AuditService.SUCCESS, info.sourceAddress(),
                "group=" + g.group.name + " targetSet=" + g.targetSet.name + " level=" + old + "->" + level
                        + " clipboard=" + oldClipboard + "->" + g.clipboard);
        return g;
    }

    @Transactional
    public void delete(long id) {
        Grant g = get(id);
        g.delete();
        audit.record(info.actor(), "GRANT_DELETE", "grant", id, AuditService.SUCCESS, info.sourceAddress(),
                "group=" + g.group.name + " targetSet=" + g.targetSet.name);
    }

    public List<Assignment> assignments(Long userId, Long targetId) {
        return Assignment.list("(:u is null or user.id = :u) and (:t is null or target.id = :t) order by id",
                Parameters.with("u", userId).and("t", targetId));
    }

    @Transactional
    public Assignment assign(long userId, long targetId, AccessLevel level, ClipboardPolicy clipboard) {
        User u = User.findById(userId);
        if (u == null) {
            throw new ApiException(404, "Not Found", "user " + userId + " does not exist", "userId");
        }
        Target t = Target.findById(targetId);
        if (t == null) {
            throw new ApiException(404, "Not Found", "target " + targetId + " does not exist", "targetId");
        }
        if (Assignment.count("user = ?1 and target = ?2", u, t) > 0) {
            throw ApiException.conflict("targetId", u.username + " already has an assignment on " + t.name);
        }
        Assignment a = new Assignment();
        a.user = u;
        a.target = t;
        a.accessLevel = level;
        a.clipboard = clipboard == null ? ClipboardPolicy.BOTH : clipboard;
        a.persist();
        audit.record(info.actor(), "ASSIGNMENT_CREATE", "assignment", a.id, AuditService.SUCCESS,
                info.sourceAddress(), "user=" + u.username + " target=" + t.name + " level=" + level
                        + " clipboard=" + a.clipboard);
        return a;
    }

    @Transactional
    public void unassign(long id) {
        Assignment a = Assignment.findById(id);
        if (a == null) {
            throw ApiException.notFound("assignment", id);
        }
        a.delete();
        audit.record(info.actor(), "ASSIGNMENT_DELETE", "assignment", id, AuditService.SUCCESS,
                info.sourceAddress(), "user=" + a.user.username + " target=" + a.target.name);
    }
}
