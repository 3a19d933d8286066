package org.cam.management.identity.service;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.config.ManagementConfig;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * The RSA key pair that signs and verifies access tokens: read from cam.management.jwt.key-dir, or generated
 * there at first start when the folder holds neither file (demo). Half a pair is a configuration error.
 */
@Startup
@ApplicationScoped
public class JwtKeys {
    private static final Logger LOG = Logger.getLogger(JwtKeys.class);
    static final String PRIVATE = "jwt-private.pem";
    static final String PUBLIC = "jwt-public.pem";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;

    @Inject
    public JwtKeys(ManagementConfig config) {
        Path dir = Path.of(config.jwt().keyDir());
        Path priv = dir.resolve(PRIVATE);
        Path pub = dir.resolve(PUBLIC);
        try {
            if (!Files.exists(priv) && !Files.exists(pub)) {
                generate(dir, priv, pub);
            }
            KeyFactory kf = KeyFactory.getInstance("RSA");
            privateKey = kf.generatePrivate(new PKCS8EncodedKeySpec(pem(Files.readString(priv))));
            publicKey = kf.generatePublic(new X509EncodedKeySpec(pem(Files.readString(pub))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read JWT keys from " + dir.toAbsolutePath(), e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("invalid JWT keys in " + dir.toAbsolutePath(), e);
        }
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    private static synchronized void generate(Path dir, Path priv, Path pub) throws IOException, GeneralSecurityException {
        Files.createDirectories(dir);
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        KeyPair kp = g.generateKeyPair();
        Path tmp = Files.createTempFile(dir, "jwt", ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        Files.writeString(tmp, toPem("PRIVATE KEY", kp.getPrivate().getEncoded()));
        Files.move(tmp, priv);
        Files.writeString(pub, toPem("PUBLIC KEY", kp.getPublic().getEncoded()));
        LOG.infof("generated a JWT signing key pair in %s", dir.toAbsolutePath());
    }

    private static String toPem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] pem(String text) {
        String b64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return Base64.getDecoder().decode(b64);
    }
}
