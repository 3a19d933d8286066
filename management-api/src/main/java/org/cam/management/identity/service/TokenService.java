package org.cam.management.identity.service;

import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.transaction.Transactional;
import org.cam.management.common.Transactions;
import org.cam.management.audit.service.AuditService;
import org.cam.management.config.ManagementConfig;
import org.cam.management.identity.RefreshToken;
import org.cam.management.identity.Role;
import org.cam.management.identity.User;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;

/** Short-lived signed access tokens (JWT, RS256) and single-use rotating refresh tokens. */
@ApplicationScoped
public class TokenService {
    public record Tokens(String accessToken, Instant accessTokenExpiresAt, String refreshToken,
                         Instant refreshTokenExpiresAt, String username, java.util.Set<String> roles) {
    }

    /** The access token's copy of the user's token generation, checked on every request (TokenUserAugmentor). */
    public static final String GENERATION = "cam_gen";

    private final SecureRandom random = new SecureRandom();

    @Inject
    ManagementConfig config;

    @Inject
    JwtKeys keys;

    @Inject
    AuditService audit;

    @Transactional
    public Tokens issue(AuthenticatedUser u) {
        User user = User.findById(u.userId());
        return issue(user, u.roles());
    }

    /** What presenting a refresh token came to: new tokens, nothing (unknown/expired), or reuse by {@code userId}. */
    private record Refreshed(Tokens tokens, Long reusedBy, String username) {
    }

    /**
     * Exchanges a refresh token for a new pair; the old one is revoked. Empty when it is not acceptable; {@link
     * TokenReuseException} (after revoking all of the user's refresh tokens) when it was used before.
     */
    public Optional<Tokens> refresh(String token, String sourceAddress) {
        Refreshed r = QuarkusTransaction.requiringNew().call(() -> {
            RefreshToken rt = RefreshToken.find("tokenHash", hash(token)).firstResult();
            if (rt == null) {
                return new Refreshed(null, null, null);
            }
            // Only one caller can turn it from unused to used: the row lock makes concurrent users of one token wait
            // for the winner's commit, and then find it revoked. Whoever loses presented a used token: reuse.
            if (rt.revoked || RefreshToken.update("revoked = true where id = ?1 and revoked = false", rt.id) == 0) {
                return new Refreshed(null, rt.user.id, rt.user.username);
            }
            if (rt.expiresAt.isBefore(Instant.now()) || !rt.user.enabled) {
                return new Refreshed(null, null, null);
            }
            audit.record(rt.user.username, "TOKEN_REFRESH", "user", rt.user.id, AuditService.SUCCESS, sourceAddress,
                    null);
            return new Refreshed(issue(rt.user, Role.expand(rt.user.roles)), null, null);
        });
        if (r.reusedBy() != null) {
            // A used token shown again: somebody holds a copy. Cut off every session of that user. Several losers of
            // one race revoke the same rows at once: a deadlock victim simply repeats.
            Transactions.retryingConflicts("revoke refresh tokens", () -> {
                RefreshToken.update("revoked = true where user.id = ?1 and revoked = false", r.reusedBy());
                audit.record(r.username(), "TOKEN_REUSE", "user", r.reusedBy(), AuditService.DENIED, sourceAddress,
                        "revoked refresh token presented again; all refresh tokens of the user revoked");
            });
            throw new TokenReuseException();
        }
        return Optional.ofNullable(r.tokens());
    }

    @Transactional
    public boolean revoke(String token) {
        return RefreshToken.update("revoked = true where tokenHash = ?1 and revoked = false", hash(token)) > 0;
    }

    /** Thrown (after committing the revocation) when a revoked refresh token comes back. */
    public static class TokenReuseException extends RuntimeException {
        TokenReuseException() {
            super("refresh token reuse", null, false, false);
        }
    }

    private Tokens issue(User user, java.util.Set<String> roles) {
        Instant now = Instant.now();
        Instant accessExp = now.plus(config.jwt().accessTokenTtl());
        String access = Jwt.issuer(config.jwt().issuer())
                .upn(user.username)
                .subject(String.valueOf(user.id))
                .groups(roles)
                .claim(GENERATION, user.tokenGeneration)
                .issuedAt(now)
                .expiresAt(accessExp)
                .jws().keyId("cam-management")
                .sign(keys.privateKey());
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        String refresh = Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
        RefreshToken rt = new RefreshToken();
        rt.tokenHash = hash(refresh);
        rt.user = user;
        rt.expiresAt = now.plus(config.jwt().refreshTokenTtl());
        rt.persist();
        return new Tokens(access, accessExp, refresh, rt.expiresAt, user.username, roles);
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest((token == null ? "" : token).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
