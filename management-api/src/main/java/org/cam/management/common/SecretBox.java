package org.cam.management.common;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.config.ManagementConfig;
import org.jboss.logging.Logger;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * Encrypts secrets at rest (device secrets, channel credentials, one-time VNC passwords) with AES-256-GCM.
 * Stored form: {@code v1:<base64(12-byte nonce || ciphertext+tag)>}, or {@code v2:} (same layout) for a secret bound
 * to where it is stored: the row's identity is the GCM associated data, so a ciphertext copied into another row (by
 * whoever can write the database but has no key) does not decrypt there. The key comes from configuration, else
 * from a key file generated at first start (demo). Losing the key makes enrolled devices unreachable: back it up.
 */
@Startup
@ApplicationScoped
public class SecretBox {
    private static final Logger LOG = Logger.getLogger(SecretBox.class);
    private static final String PREFIX = "v1:";
    private static final String BOUND = "v2:";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    private final SecretKeySpec key;

    @Inject
    public SecretBox(ManagementConfig config) {
        byte[] raw = config.secrets().key().filter(k -> !k.isBlank())
                .map(k -> Base64.getDecoder().decode(k.trim()))
                .orElseGet(() -> fromFile(Path.of(config.secrets().keyFile())));
        if (raw.length != 32) {
            throw new IllegalStateException("cam.management.secrets.key must be 32 bytes (base64), got " + raw.length);
        }
        key = new SecretKeySpec(raw, "AES");
    }

    /** Unbound (v1), for secrets not yet tied to their row. */
    public String encrypt(String plain) {
        return seal(plain, null);
    }

    /** Bound to {@code context}: the row and column the result is stored in, e.g. "device-secret:&lt;mac&gt;". */
    public String encrypt(String plain, String context) {
        return seal(plain, context);
    }

    private String seal(String plain, String context) {
        try {
            byte[] nonce = new byte[12];
            RANDOM.nextBytes(nonce);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            if (context != null) {
                c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            }
            byte[] ct = c.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[12 + ct.length];
            System.arraycopy(nonce, 0, out, 0, 12);
            System.arraycopy(ct, 0, out, 12, ct.length);
            return (context == null ? PREFIX : BOUND) + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    /** An unbound (v1) secret. */
    public String decrypt(String stored) {
        if (stored != null && !stored.startsWith(PREFIX)) {
            throw new IllegalStateException("unknown secret format");
        }
        return open(stored, null);
    }

    /** A secret bound to {@code context} (v2); an unbound one is refused, so no old ciphertext can be slipped in. */
    public String decrypt(String stored, String context) {
        if (stored != null && !stored.startsWith(BOUND)) {
            throw new IllegalStateException("secret not bound to " + context
                    + " (bound ones are re-encrypted at start-up: this one was planted)");
        }
        return open(stored, context);
    }

    /** Whether {@code stored} is still an unbound (v1) secret, to be re-encrypted bound to its row. */
    public static boolean unbound(String stored) {
        return stored != null && stored.startsWith(PREFIX);
    }

    private String open(String stored, String context) {
        if (stored == null) {
            return null;
        }
        try {
            byte[] in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, 12));
            if (context != null) {
                c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            }
            return new String(c.doFinal(in, 12, in.length - 12), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot decrypt a stored secret (wrong cam.management.secrets key, or a "
                    + "ciphertext of another row?)", e);
        }
    }

    /** A random text of {@code length} unambiguous letters and digits. */
    public static String randomText(int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            b.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return b.toString();
    }

    private static synchronized byte[] fromFile(Path file) {
        try {
            if (!Files.exists(file)) {
                Files.createDirectories(file.toAbsolutePath().getParent());
                byte[] k = new byte[32];
                RANDOM.nextBytes(k);
                Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), "secrets", ".tmp");
                try {
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException ignored) {
                    // not a POSIX file system
                }
                Files.writeString(tmp, Base64.getEncoder().encodeToString(k) + "\n");
                Files.move(tmp, file);
                LOG.infof("generated the secrets-at-rest key %s (keep it: stored device secrets need it)",
                        file.toAbsolutePath());
            }
            return Base64.getDecoder().decode(Files.readString(file).trim());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the secrets key " + file.toAbsolutePath(), e);
        }
    }
}
