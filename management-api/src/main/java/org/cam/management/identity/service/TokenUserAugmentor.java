package org.cam.management.identity.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.cam.management.identity.User;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * A bearer token stays valid for its few minutes even if its user is disabled or deleted meanwhile; this check
 * closes that gap (one primary-key lookup per token request) and puts the user id on the identity.
 */
@ApplicationScoped
public class TokenUserAugmentor implements SecurityIdentityAugmentor {

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return Uni.createFrom().item(identity);
        }
        return context.runBlocking(() -> {
            long id;
            try {
                id = Long.parseLong(jwt.getSubject());
            } catch (NumberFormatException | NullPointerException e) {
                throw new AuthenticationFailedException("token without a user id");
            }
            Boolean enabled = QuarkusTransaction.joiningExisting().call(() -> {
                User u = User.findById(id);
                return u != null && u.enabled && u.username.equals(jwt.getName());
            });
            if (!enabled) {
                throw new AuthenticationFailedException("token of a disabled or unknown user");
            }
            return QuarkusSecurityIdentity.builder(identity).addAttribute("userId", id).build();
        });
    }
}
