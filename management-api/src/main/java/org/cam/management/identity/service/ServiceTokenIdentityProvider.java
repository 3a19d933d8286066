package org.cam.management.identity.service;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.config.ManagementConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Service credentials (session-broker, discovery-service, replication-monitor, Prometheus) arrive as opaque bearer tokens on
 * the same header as users' JWTs. This provider runs before smallrye-jwt's: a configured token becomes a service
 * identity; anything else is left (null) to the JWT provider.
 */
@ApplicationScoped
public class ServiceTokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {
    public static final String SERVICE_ROLE = "service";

    private final Map<String, byte[]> tokens = new LinkedHashMap<>();

    @Inject
    public ServiceTokenIdentityProvider(ManagementConfig config) {
        add("broker", config.serviceTokens().broker());
        add("discovery", config.serviceTokens().discovery());
        add("replication-monitor", config.serviceTokens().replicationMonitor());
        add("metrics", config.serviceTokens().metrics());
    }

    private void add(String name, Optional<String> token) {
        token.filter(t -> !t.isBlank()).ifPresent(t -> tokens.put(name, t.getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    /** Higher runs first; smallrye-jwt's validator has the default (1001). */
    @Override
    public int priority() {
        return 2000;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request, AuthenticationRequestContext context) {
        String presented = request.getToken() == null ? null : request.getToken().getToken();
        if (presented == null || presented.indexOf('.') >= 0) {
            return Uni.createFrom().nullItem();   // JWTs have dots; service tokens are configured without
        }
        byte[] p = presented.getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<String, byte[]> e : tokens.entrySet()) {
            if (MessageDigest.isEqual(p, e.getValue())) {
                return Uni.createFrom().item(QuarkusSecurityIdentity.builder()
                        .setPrincipal(new QuarkusPrincipal("service:" + e.getKey()))
                        .addRole(SERVICE_ROLE)
                        .addRole("service:" + e.getKey())
                        .build());
            }
        }
        return Uni.createFrom().nullItem();
    }
}
