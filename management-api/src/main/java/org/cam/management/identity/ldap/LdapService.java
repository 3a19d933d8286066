package org.cam.management.identity.ldap;

import com.unboundid.ldap.sdk.LDAPException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.config.ManagementConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** The configured directory, with successful binds remembered for a short while (cam.management.ldap.cache-ttl). */
@ApplicationScoped
public class LdapService {
    private record Cached(byte[] digest, LdapDirectory.Account account, Instant until) {
    }

    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final byte[] salt = new byte[16];
    private final ManagementConfig config;
    private final LdapDirectory directory;
    private final Clock clock = Clock.systemUTC();

    @Inject
    public LdapService(ManagementConfig config) {
        this.config = config;
        this.directory = new LdapDirectory(LdapSettings.of(config.ldap()));
        new SecureRandom().nextBytes(salt);
    }

    public boolean enabled() {
        return config.ldap().enabled();
    }

    public LdapDirectory directory() {
        return directory;
    }

    /** A successful bind; {@code cached} when it came from the cache (the directory was not asked). */
    public record Result(LdapDirectory.Account account, boolean cached) {
    }

    public Optional<Result> authenticate(String uid, String password) throws LDAPException {
        byte[] digest = digest(uid, password);
        Cached c = cache.get(uid);
        if (c != null && c.until().isAfter(clock.instant()) && MessageDigest.isEqual(c.digest(), digest)) {
            return Optional.of(new Result(c.account(), true));
        }
        Optional<LdapDirectory.Account> a = directory.authenticate(uid, password);
        if (a.isPresent()) {
            cache.put(uid, new Cached(digest, a.get(), clock.instant().plus(config.ldap().cacheTtl())));
        } else {
            cache.remove(uid);
        }
        return a.map(account -> new Result(account, false));
    }

    public void evict(String uid) {
        cache.remove(uid);
    }

    public void clearCache() {
        cache.clear();
    }

    private byte[] digest(String uid, String password) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(salt);
            md.update(uid.getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            md.update(password.getBytes(StandardCharsets.UTF_8));
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
