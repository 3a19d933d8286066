package org.cam.management.identity.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.access.service.AccessCache;
import org.cam.management.identity.User;
import org.eclipse.microprofile.jwt.JsonWebToken;

import java.util.Optional;

/**
 * A bearer token stays valid for its few minutes even if its user is disabled, deleted, demoted or changes password
 * meanwhile; this check closes that gap (the user must be enabled and the token's generation the user's current one)
 * and puts the user id on the identity.
 *
 * <p>The user row comes from the access cache: a request whose user was read within the cache's time to live (and
 * before any change on this instance) is checked on the event loop, with no worker thread, transaction or query. A
 * password, role or enable change made here starts the cache over at once (it is a write request); one made on another
 * replica shows here within the cache's TTL (5 s), against the 10 minutes a token lives.
 */
@ApplicationScoped
public class TokenUserAugmentor implements SecurityIdentityAugmentor {

    /** What a token is checked against; {@code null} when the user does not exist. */
    record TokenUser(boolean enabled, String username, long generation) {
    }

    @Inject
    AccessCache cache;

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken jwt)) {
            return Uni.createFrom().item(identity);
        }
        long id;
        try {
            id = Long.parseLong(jwt.getSubject());
        } catch (NumberFormatException | NullPointerException e) {
            return Uni.createFrom().failure(new AuthenticationFailedException("token without a user id"));
        }
        Long generation = generation(jwt.getClaim(TokenService.GENERATION));
        Object key = java.util.List.of("token-user", id);
        Optional<TokenUser> known = cache.peek(key);
        if (known != null) {
            return Uni.createFrom().item(() -> checked(identity, jwt, id, generation, known));
        }
        return context.runBlocking(() -> checked(identity, jwt, id, generation, cache.get(key,
                () -> QuarkusTransaction.joiningExisting().call(() -> User.<User>findByIdOptional(id)
                        .map(u -> new TokenUser(u.enabled, u.username, u.tokenGeneration))))));
    }

    private static SecurityIdentity checked(SecurityIdentity identity, JsonWebToken jwt, long id, Long generation,
                                            Optional<TokenUser> user) {
        boolean valid = user.isPresent() && user.get().enabled() && user.get().username().equals(jwt.getName())
                && generation != null && generation == user.get().generation();
        if (!valid) {
            throw new AuthenticationFailedException("token of a disabled or unknown user, or issued before a "
                    + "password, role or enable change");
        }
        return QuarkusSecurityIdentity.builder(identity).addAttribute("userId", id).build();
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
