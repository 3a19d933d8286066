package org.cam.replication.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.cam.replication.config.ReplicationConfig;

/**
 * management-api's service token ({@code cam.replication.management-token}): the identity {@code management-api}
 * with the admin role and {@link #MANAGEMENT_API}, so that the resource takes the acting user from the request.
 */
@ApplicationScoped
public class ManagementTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    /** The role that marks management-api acting for one of its users. */
    public static final String MANAGEMENT_API = "service:management-api";

    @Inject
    ReplicationConfig config;

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        String expected = config.managementToken().filter(t -> !t.isBlank()).orElse(null);
        String given = request.getToken().getToken();
        // Constant time: the comparison must not tell how much of a guess was right.
        if (expected == null || given == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                given.getBytes(StandardCharsets.UTF_8))) {
            return Uni.createFrom().failure(new AuthenticationFailedException());
        }
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal("management-api"))
                .addRole("admin")
                .addRole(MANAGEMENT_API)
                .build());
    }
}
