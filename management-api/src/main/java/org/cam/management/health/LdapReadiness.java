package org.cam.management.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.identity.ldap.LdapService;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only when the directory answers (when LDAP is enabled): logins of directory users depend on it; and once the
 * first sync at start succeeded (FirstLdapSync), so directory groups and their grants exist before the first login.
 */
@Readiness
@ApplicationScoped
public class LdapReadiness implements HealthCheck {
    @Inject
    LdapService ldap;

    @Inject
    FirstLdapSync firstSync;

    @Override
    public HealthCheckResponse call() {
        var b = HealthCheckResponse.named("ldap");
        if (!ldap.enabled()) {
            return b.up().withData("enabled", false).build();
        }
        try {
            ldap.directory().ping();
            if (!firstSync.done()) {
                return b.down().withData("url", ldap.directory().settings().url())
                        .withData("firstSync", "pending: " + firstSync.lastError()).build();
            }
            return b.up().withData("url", ldap.directory().settings().url()).withData("firstSync", "done").build();
        } catch (Exception e) {
            return b.down().withData("url", ldap.directory().settings().url())
                    .withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
