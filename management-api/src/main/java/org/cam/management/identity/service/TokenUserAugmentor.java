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
 * A bearer token stays valid for its few minutes even if its user is disabled, deleted, demoted or changes password
 * meanwhile; this check closes that gap (one primary-key lookup per token request: the user must be enabled and the
 * token's generation the user's current one) and puts the user id on the identity.
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
            Long generation = generation(jwt.getClaim(TokenService.GENERATION));
            Boolean valid = QuarkusTransaction.joiningExisting().call(() -> {
                User u = User.findById(id);
                return u != null && u.enabled && u.username.equals(jwt.getName()) && generation != null
                        && generation == u.tokenGeneration;
            });
            if (!valid) {
                throw new AuthenticationFailedException("token of a disabled or unknown user, or issued before a "
                        + "password, role or enable change");
            }
            return QuarkusSecurityIdentity.builder(identity).addAttribute("userId", id).build();
        });
    }

    /** The claim as JSON-P or plain number, depending on how the token was parsed; null when absent or not a number. */
    static Long generation(Object claim) {
        if (claim instanceof jakarta.json.JsonNumber n) {
            return n.longValue();
        }
        if (claim instanceof Number n) {
            return n.longValue();
        }
        try {
            return claim == null ? null : Long.valueOf(claim.toString());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
