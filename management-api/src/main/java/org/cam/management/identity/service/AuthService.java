package org.cam.management.identity.service;

import com.unboundid.ldap.sdk.LDAPException;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.AuthenticationFailedException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.audit.service.AuditService;
import org.cam.management.datasource.PrimaryLoss;
import org.cam.management.identity.Role;
import org.cam.management.identity.Source;
import org.cam.management.identity.User;
import org.cam.management.identity.UserNames;
import org.cam.management.identity.ldap.LdapDirectory;
import org.cam.management.identity.ldap.LdapService;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Optional;

/**
 * Password check for HTTP Basic and the login endpoint: lockout first, then the local store (bcrypt), then the
 * directory for names that are not local users. Names are canonical (lower case), a local user is never looked up
 * in LDAP, and a directory entry that turns out to carry a local user's name is refused, so a directory account
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

    public AuthenticatedUser authenticate(String rawUsername, String password, String address, Channel channel) {
        if (rawUsername == null || rawUsername.isBlank() || rawUsername.length() > 128 || password == null) {
            throw fail(rawUsername, address, "missing or malformed credentials", null);
        }
        // One canonical name everywhere: "Admin" is the local "admin", never a directory entry that matches it.
        String username = UserNames.canonical(rawUsername);
        // Recorded before it is decided: N parallel guesses cannot all pass a check that only sees earlier failures.
        LockoutService.Attempt attempt = lockout.begin(username, address);
        if (attempt.locked() != null) {
            meters.counter("cam.logins", "outcome", "locked").increment();
            audit.recordNowOrLog(username, "LOGIN", "user", username, AuditService.DENIED, address,
                    "locked out after repeated failures (" + channel + ")");
            throw new AuthenticationFailedException("locked out");
        }
        AuthenticatedUser result;
        try {
            result = check(username, password, address, channel, attempt);
        } catch (AuthenticationFailedException e) {
            throw e;   // counted (or not) where it was decided
        } catch (RuntimeException e) {
            lockout.notCounted(attempt);   // our fault (database, directory), not the caller's
            throw e;
        }
        lockout.succeeded(attempt);
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

    private AuthenticatedUser check(String username, String password, String address, Channel channel,
                                    LockoutService.Attempt attempt) {
        Optional<User> local = QuarkusTransaction.requiringNew().call(() -> User.byUsername(username)
                .map(u -> { u.roles.size(); return u; }));
        if (local.isPresent() && local.get().source == Source.LOCAL) {
            User u = local.get();
            if (!PasswordHasher.verify(password, u.passwordHash)) {
                throw fail(username, address, "wrong password (" + channel + ")", attempt);
            }
            if (!u.enabled) {
                throw fail(username, address, "user disabled (" + channel + ")", attempt);
            }
            return new AuthenticatedUser(u.id, u.username, Role.expand(u.roles), u.tokenGeneration);
        }
        if (!ldap.enabled()) {
            PasswordHasher.verify(password, null);   // same cost as a local check
            throw fail(username, address, "unknown user (" + channel + ")", attempt);
        }
        Optional<LdapService.Result> account;
        try {
            account = ldap.authenticate(username, password);
        } catch (LDAPException e) {
            LOG.warnf("LDAP unavailable for login of %s: %s", username, e.getMessage());
            lockout.notCounted(attempt);
            throw fail(username, address, "directory unavailable: " + e.getResultCode(), null);
        }
        if (account.isEmpty()) {
            throw fail(username, address, "wrong password or unknown user (LDAP, " + channel + ")", attempt);
        }
        LdapDirectory.Account a = account.get().account();
        Mirrored m = mirror(a, account.get().cached());
        if (m.localClash()) {
            ldap.evict(username);
            // The directory matched an entry whose name is a local user's (the directory compares names its own
            // way): its password must never become that account's, nor its groups that account's roles.
            audit.recordNowOrLog(username, "LOGIN", "user", a.uid(), AuditService.DENIED, address,
                    "directory entry " + a.dn() + " has the name of the local user " + a.uid()
                            + ": refused, a directory login never takes over a local user (" + channel + ")");
            throw fail(username, address, null, attempt);
        }
        if (m.user() == null) {
            ldap.evict(username);
            throw fail(username, address, "user disabled (LDAP, " + channel + ")", attempt);
        }
        return m.user();
    }

    /** The mirrored user (null when disabled), or {@code localClash} when the name is a local user's. */
    private record Mirrored(AuthenticatedUser user, boolean localClash) {
    }

    /**
     * Mirrors the LDAP account. Two first logins of one new user (or a login racing the sync) may both insert the
     * same row: the loser retries once and then finds it. A local user of that name is never touched.
     */
    private Mirrored mirror(LdapDirectory.Account a, boolean cached) {
        for (int attempt = 1; ; attempt++) {
            try {
                return QuarkusTransaction.requiringNew().call(() -> {
                    User u = User.byUsername(a.uid()).orElse(null);
                    if (u != null && u.source == Source.LOCAL) {
                        return new Mirrored(null, true);
                    }
                    // A cached bind was mirrored when it was made: spare Basic-auth automation a write per request.
                    if (u == null || !cached) {
                        provisioning.apply(a, u);
                    }
                    User now = User.byUsername(a.uid()).orElseThrow();
                    return new Mirrored(now.enabled ? new AuthenticatedUser(now.id, now.username,
                            Role.expand(now.roles), now.tokenGeneration) : null, false);
                });
            } catch (RuntimeException e) {
                if (PrimaryLoss.of(e) != PrimaryLoss.NONE) {
                    throw e;   // no primary: repeating here cannot help; a 503 with Retry-After
                }
                if (attempt >= 3) {
                    throw e;
                }
                LOG.debugf("retrying LDAP mirror of %s after %s", a.uid(), e.toString());
            }
        }
    }

    /** Basic credentials on a request a browser made: refused without a password check, audited. */
    public AuthenticationFailedException refuseBrowserBasic(String username, String address) {
        String name = username == null || username.isBlank() ? "anonymous" : UserNames.canonical(username);
        meters.counter("cam.logins", "outcome", "failure").increment();
        audit.recordNowOrLog(name, "LOGIN", "user", name, AuditService.DENIED, address,
                "HTTP Basic on a browser request (Origin / Sec-Fetch-*): browsers must use a bearer token");
        return new AuthenticationFailedException("Basic authentication from a browser");
    }

    /**
     * Audits a failure ({@code why}; null when already audited) and, for a counted {@code attempt}, reports a lockout
     * that this failure completed. Without an attempt nothing counts.
     */
    private AuthenticationFailedException fail(String username, String address, String why,
                                               LockoutService.Attempt attempt) {
        meters.counter("cam.logins", "outcome", "failure").increment();
        String name = username == null || username.isBlank() ? "anonymous" : username;
        if (why != null) {
            audit.recordNowOrLog(name, "LOGIN", "user", name, AuditService.FAILURE, address, why);
        }
        if (attempt != null) {
            String locked = lockout.failed(attempt);
            if (locked != null) {
                audit.recordNowOrLog(name, "LOCKOUT", "USER".equals(locked) ? "user" : "address",
                        "USER".equals(locked) ? name : address, AuditService.DENIED, address,
                        ("USER".equals(locked) ? "user" : "source address") + " locked after repeated failures");
            }
        }
        return new AuthenticationFailedException(why == null ? "refused" : why);
    }
}
