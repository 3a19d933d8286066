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
import org.cam.management.config.ManagementConfig;
import org.cam.management.identity.Role;
import org.cam.management.identity.Source;
import org.cam.management.identity.User;
import org.cam.management.identity.UserGroup;
import org.cam.management.identity.UserNames;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

@ApplicationScoped
public class UserService {

    public record NewUser(String username, String displayName, String email, String password, Set<String> roles,
                          Boolean enabled) {
    }

    public record UserUpdate(String displayName, String email, Boolean enabled, Set<String> roles, long version) {
    }

    @Inject
    AuditService audit;

    @Inject
    RequestInfo info;

    @Inject
    LockoutService lockout;

    @Inject
    ManagementConfig config;

    public Page<User> list(String q, Source source, Boolean enabled, int page, int size) {
        List<String> where = new ArrayList<>();
        Parameters p = new Parameters();
        where.add("1 = 1");
        if (q != null && !q.isBlank()) {
            where.add("(lower(username) like :q or lower(displayName) like :q)");
            p.and("q", "%" + q.toLowerCase() + "%");
        }
        if (source != null) { where.add("source = :source"); p.and("source", source); }
        if (enabled != null) { where.add("enabled = :enabled"); p.and("enabled", enabled); }
        String w = String.join(" and ", where);
        List<User> items = User.<User>find(w, Sort.by("username"), p).page(page, size).list();
        return new Page<>(items, page, size, User.count(w, p));
    }

    public User get(long id) {
        User u = User.findById(id);
        if (u == null) {
            throw ApiException.notFound("user", id);
        }
        return u;
    }

    @Transactional
    public User create(NewUser n) {
        if (User.byUsername(n.username()).isPresent()) {
            throw ApiException.conflict("username", "username " + n.username() + " is taken");
        }
        User u = new User();
        u.username = UserNames.canonical(n.username());
        u.displayName = n.displayName();
        u.email = n.email();
        u.source = Source.LOCAL;
        u.passwordHash = PasswordHasher.hash(n.password());
        u.enabled = n.enabled() == null || n.enabled();
        u.roles = new HashSet<>(checkRoles(n.roles()));
        u.persist();
        audit.record(info.actor(), "USER_CREATE", "user", u.id, AuditService.SUCCESS, info.sourceAddress(),
                "username=" + u.username + " roles=" + u.roles + " enabled=" + u.enabled);
        return u;
    }

    @Transactional
    public User update(long id, UserUpdate up) {
        User u = get(id);
        checkVersion(u.version, up.version());
        List<String> changes = new ArrayList<>();
        if (up.displayName() != null) { u.displayName = up.displayName(); changes.add("displayName"); }
        if (up.email() != null) { u.email = up.email(); changes.add("email"); }
        if (up.enabled() != null && up.enabled() != u.enabled) {
            if (!up.enabled() && u.username.equals(UserNames.canonical(config.admin().username()))
                    && u.source == Source.LOCAL) {
                throw ApiException.conflict("enabled", "the built-in administrator cannot be disabled");
            }
            u.enabled = up.enabled();
            changes.add("enabled=" + u.enabled);
            u.endSessions();
        }
        if (up.roles() != null) {
            if (u.source == Source.LDAP) {
                throw ApiException.badRequest("roles", "roles of LDAP users come from their LDAP groups (role mapping)");
            }
            Set<String> roles = checkRoles(up.roles());
            if (u.username.equals(UserNames.canonical(config.admin().username())) && !roles.contains(Role.ADMIN)) {
                throw ApiException.conflict("roles", "the built-in administrator keeps the admin role");
            }
            if (!roles.equals(u.roles)) {
                u.endSessions();   // tokens carry roles: the old ones must not outlive the change
            }
            u.roles.clear();
            u.roles.addAll(roles);
            changes.add("roles=" + roles);
        }
        io.quarkus.hibernate.orm.panache.Panache.flush();   // the answer must carry the new @Version
        audit.record(info.actor(), "USER_UPDATE", "user", u.id, AuditService.SUCCESS, info.sourceAddress(),
                String.join(" ", changes));
        return u;
    }

    /**
     * Sets a local user's password. Changing one's own needs the current one ({@code own}): a stolen token or an
     * unlocked screen must not be enough to take the account over. Every session of the user ends.
     */
    @Transactional(dontRollbackOn = ApiException.class)
    public void setPassword(long id, String password, boolean own, String currentPassword) {
        User u = get(id);
        if (u.source != Source.LOCAL) {
            throw ApiException.badRequest("password", "LDAP users change their password in the directory");
        }
        if (own && (currentPassword == null || !PasswordHasher.verify(currentPassword, u.passwordHash))) {
            audit.record(info.actor(), "USER_PASSWORD", "user", u.id, AuditService.DENIED, info.sourceAddress(),
                    currentPassword == null ? "current password missing" : "current password wrong");
            throw ApiException.badRequest("currentPassword", currentPassword == null
                    ? "changing your own password needs the current one" : "the current password is not right");
        }
        u.passwordHash = PasswordHasher.hash(password);
        u.endSessions();
        audit.record(info.actor(), "USER_PASSWORD", "user", u.id, AuditService.SUCCESS, info.sourceAddress(),
                "every token of the user revoked");
    }

    @Transactional
    public void delete(long id) {
        User u = get(id);
        if (u.source != Source.LOCAL) {
            throw ApiException.conflict("id", "LDAP users are disabled, not deleted, so their history stays");
        }
        if (u.username.equals(UserNames.canonical(config.admin().username()))) {
            throw ApiException.conflict("id", "the built-in administrator cannot be deleted");
        }
        for (UserGroup g : u.groups) {
            g.members.remove(u);
        }
        u.delete();
        audit.record(info.actor(), "USER_DELETE", "user", id, AuditService.SUCCESS, info.sourceAddress(),
                "username=" + u.username);
    }

    @Transactional
    public void unlock(long id) {
        User u = get(id);
        lockout.unlockUser(u.username);
        audit.record(info.actor(), "USER_UNLOCK", "user", u.id, AuditService.SUCCESS, info.sourceAddress(), null);
    }

    static Set<String> checkRoles(Set<String> roles) {
        if (roles == null) {
            return Set.of();
        }
        for (String r : roles) {
            if (!Role.isValid(r)) {
                throw ApiException.badRequest("roles", "unknown role " + r + "; one of " + Role.ALL);
            }
        }
        return roles;
    }

    public static void checkVersion(long current, long given) {
        if (current != given) {
            throw new ApiException(409, "Conflict", "version " + given + " is stale; current is " + current,
                    "version");
        }
    }
}
