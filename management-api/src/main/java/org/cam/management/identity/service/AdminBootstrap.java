package org.cam.management.identity.service;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.cam.management.audit.service.AuditService;
import org.cam.management.config.ManagementConfig;
import org.cam.management.identity.Role;
import org.cam.management.identity.Source;
import org.cam.management.identity.User;
import org.jboss.logging.Logger;

import java.security.SecureRandom;
import java.util.Set;

/** Creates the built-in local administrator on first start. Its password is never reset here afterwards. */
@ApplicationScoped
public class AdminBootstrap {
    private static final Logger LOG = Logger.getLogger(AdminBootstrap.class);
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    @Inject
    ManagementConfig config;

    @Inject
    AuditService audit;

    @Transactional
    void onStart(@Observes StartupEvent ev) {
        String name = org.cam.management.identity.UserNames.canonical(config.admin().username());
        if (User.byUsername(name).isPresent()) {
            return;
        }
        boolean generated = config.admin().initialPassword().filter(p -> !p.isBlank()).isEmpty();
        String password = generated ? generate() : config.admin().initialPassword().get();
        User u = new User();
        u.username = name;
        u.displayName = "Built-in administrator";
        u.source = Source.LOCAL;
        u.passwordHash = PasswordHasher.hash(password);
        u.roles = new java.util.HashSet<>(Set.of(Role.ADMIN));
        u.persist();
        audit.record("system", "USER_CREATE", "user", u.id, AuditService.SUCCESS, null,
                "built-in administrator" + (generated ? " (generated password)" : " (configured password)"));
        if (generated) {
            // Printed exactly once: it is not stored anywhere but as a bcrypt hash.
            LOG.warnf("Created built-in user '%s' with generated password: %s  (change it: PUT /api/v1/users/%d/password)",
                    name, password, u.id);
        } else {
            LOG.infof("Created built-in user '%s' with the configured initial password", name);
        }
    }

    private static String generate() {
        SecureRandom r = new SecureRandom();
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20; i++) {
            sb.append(ALPHABET.charAt(r.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
