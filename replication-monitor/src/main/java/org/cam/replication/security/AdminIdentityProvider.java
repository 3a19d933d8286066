package org.cam.replication.security;

import io.quarkus.elytron.security.common.BcryptUtil;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.replication.config.ReplicationConfig;
import org.jboss.logging.Logger;

/**
 * HTTP Basic against one configured admin whose password is stored only as a bcrypt hash. A stop-gap until
 * management-api issues JWTs; then this provider is replaced by quarkus-smallrye-jwt and the role check stays.
 */
@ApplicationScoped
public class AdminIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    private static final Logger LOG = Logger.getLogger(AdminIdentityProvider.class);

    @Inject
    ReplicationConfig config;

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
            AuthenticationRequestContext context) {
        // bcrypt is deliberately slow: keep it off the event loop
        return context.runBlocking(() -> {
            String hash = config.admin().passwordHash().orElse(null);
            if (hash == null || hash.isBlank()) {
                LOG.warn("admin login refused: cam.replication.admin.password-hash is not set");
                throw new AuthenticationFailedException();
            }
            // $2b$ (OpenBSD, Python bcrypt) differs from $2a$ only for passwords over 255 bytes; Elytron reads $2a$/$2y$
            if (hash.startsWith("$2b$")) {
                hash = "$2a$" + hash.substring(4);
            }
            boolean ok;
            try {
                ok = config.admin().username().equals(request.getUsername())
                        && BcryptUtil.matches(new String(request.getPassword().getPassword()), hash);
            } catch (RuntimeException e) {
                LOG.errorf("cam.replication.admin.password-hash is not a usable bcrypt hash: %s", e.getMessage());
                ok = false;
            }
            if (!ok) {
                throw new AuthenticationFailedException();
            }
            return QuarkusSecurityIdentity.builder()
                    .setPrincipal(new QuarkusPrincipal(request.getUsername()))
                    .addRole("admin")
                    .build();
        });
    }
}
