package org.cam.management.identity.service;

import com.unboundid.ldap.sdk.LDAPException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.AuthenticationFailedException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.audit.service.AuditService;
import org.cam.management.identity.Role;
import org.cam.management.identity.Source;
import org.cam.management.identity.User;
import org.cam.management.identity.ldap.LdapDirectory;
import org.cam.management.identity.ldap.LdapService;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Optional;

/**
 * Password check for HTTP Basic and the login endpoint: lockout first, then the local store (bcrypt), then the
 * directory for names that are not local users. A local user is never looked up in LDAP, so a directory entry
 * can't shadow the built-in admin.
 */
@ApplicationScoped
public class AuthService {
    private static final Logger LOG = Logger.getLogger(AuthService.class);

    /** How the credentials arrived; token logins are audited on success, Basic (per request) only on failure. */
    public enum Channel { TOKEN, BASIC }

    @Inject
    LockoutService lockout;

    @Inject
    LdapService ldap;

    @Inject
    LdapProvisioning provisioning;

    @Inject
    AuditService audit;

    @Inject
    MeterRegistry meters;

    public AuthenticatedUser authenticate(String username, String password, String address, Channel channel) {
        if (username == null || username.isBlank() || username.length() > 128 || password == null) {
            throw fail(username, address, "missing or malformed credentials", false);
        }
        if (lockout.userLocked(username) || lockout.addressLocked(address)) {
            meters.counter("cam.logins", "outcome", "locked").increment();
            audit.recordNow(username, "LOGIN", "user", username, AuditService.DENIED, address,
                    "locked out after repeated failures (" + channel + ")");
            throw new AuthenticationFailedException("locked out");
        }
        Optional<User> local = QuarkusTransaction.requiringNew().call(() -> User.byUsername(username)
                .map(u -> { u.roles.size(); return u; }));
        AuthenticatedUser result;
        if (local.isPresent() && local.get().source == Source.LOCAL) {
            User u = local.get();
            if (!PasswordHasher.verify(password, u.passwordHash)) {
                throw fail(username, address, "wrong password (" + channel + ")", true);
            }
            if (!u.enabled) {
                throw fail(username, address, "user disabled (" + channel + ")", true);
            }
            result = new AuthenticatedUser(u.id, u.username, Role.expand(u.roles));
        } else {
            if (!ldap.enabled()) {
                PasswordHasher.verify(password, null);   // same cost as a local check
                throw fail(username, address, "unknown user (" + channel + ")", true);
            }
            Optional<LdapService.Result> account;
            try {
                account = ldap.authenticate(username, password);
            } catch (LDAPException e) {
                LOG.warnf("LDAP unavailable for login of %s: %s", username, e.getMessage());
                throw fail(username, address, "directory unavailable: " + e.getResultCode(), false);
            }
            if (account.isEmpty()) {
                throw fail(username, address, "wrong password or unknown user (LDAP, " + channel + ")", true);
            }
            LdapDirectory.Account a = account.get().account();
            boolean cached = account.get().cached();
            result = mirror(a, cached);
            if (result == null) {
                ldap.evict(username);
                throw fail(username, address, "user disabled (LDAP, " + channel + ")", true);
            }
        }
        lockout.recordSuccess(username);
        meters.counter("cam.logins", "outcome", "success").increment();
        if (channel == Channel.TOKEN) {
            AuthenticatedUser r = result;
            QuarkusTransaction.requiringNew().run(() -> {
                // bulk update: no @Version bump, so logins never make an admin's edit stale or collide
                User.update("lastLoginAt = ?1 where id = ?2", Instant.now(), r.userId());
                audit.record(r.username(), "LOGIN", "user", r.userId(), AuditService.SUCCESS, address,
                        "roles=" + String.join(",", r.roles()));
            });
        }
        return result;
    }

    /**
     * Mirrors the LDAP account and returns the user, or null when disabled. Two first logins of one new user (or a
     * login racing the sync) may both insert the same row: the loser retries once and then finds it.
     */
    private AuthenticatedUser mirror(LdapDirectory.Account a, boolean cached) {
        for (int attempt = 1; ; attempt++) {
            try {
                return QuarkusTransaction.requiringNew().call(() -> {
                    User u = User.byUsername(a.uid()).orElse(null);
                    // A cached bind was mirrored when it was made: spare Basic-auth automation a write per request.
                    if (u == null || !cached) {
                        provisioning.apply(a, u);
                    }
                    User now = User.byUsername(a.uid()).orElseThrow();
                    return now.enabled ? new AuthenticatedUser(now.id, now.username, Role.expand(now.roles)) : null;
                });
            } catch (RuntimeException e) {
                if (attempt >= 3) {
                    throw e;
                }
                LOG.debugf("retrying LDAP mirror of %s after %s", a.uid(), e.toString());
            }
        }
    }

    private AuthenticationFailedException fail(String username, String address, String why, boolean counts) {
        meters.counter("cam.logins", "outcome", "failure").increment();
        String name = username == null || username.isBlank() ? "anonymous" : username;
        audit.recordNow(name, "LOGIN", "user", name, AuditService.FAILURE, address, why);
        if (counts) {
            String locked = lockout.recordFailure(name, address);
            if (locked != null) {
                audit.recordNow(name, "LOCKOUT", "USER".equals(locked) ? "user" : "address",
                        "USER".equals(locked) ? name : address, AuditService.DENIED, address,
                        ("USER".equals(locked) ? "user" : "source address") + " locked after repeated failures");
            }
        }
        return new AuthenticationFailedException(why);
    }
}
