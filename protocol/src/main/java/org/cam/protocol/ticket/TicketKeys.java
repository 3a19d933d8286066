package org.cam.protocol.ticket;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 key helpers for tickets, JDK only: generate a pair, and convert keys to and from PEM text (PKCS#8
 * "PRIVATE KEY", X.509 SubjectPublicKeyInfo "PUBLIC KEY", as {@code openssl genpkey -algorithm ed25519} writes them).
 * No file I/O: services read the text from configuration or a mounted secret themselves.
 */
public final class TicketKeys {

    private static final String PRIVATE_LABEL = "PRIVATE KEY";
    private static final String PUBLIC_LABEL = "PUBLIC KEY";

    private TicketKeys() {
    }

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is part of every JDK 15+", e);
        }
    }

    public static String toPem(PrivateKey key) {
        return pem(PRIVATE_LABEL, requireEd25519(key).getEncoded());
    }

    public static String toPem(PublicKey key) {
        return pem(PUBLIC_LABEL, requireEd25519(key).getEncoded());
    }

    /** @throws IllegalArgumentException if the text is not a PEM Ed25519 private key */
    public static PrivateKey privateKeyFromPem(String pem) {
        try {
            return requireEd25519(KeyFactory.getInstance("Ed25519")
                    .generatePrivate(new PKCS8EncodedKeySpec(unpem(pem, PRIVATE_LABEL))));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 PKCS#8 private key", e);
        }
    }

    /** @throws IllegalArgumentException if the text is not a PEM Ed25519 public key */
    public static PublicKey publicKeyFromPem(String pem) {
        try {
            return requireEd25519(KeyFactory.getInstance("Ed25519")
                    .generatePublic(new X509EncodedKeySpec(unpem(pem, PUBLIC_LABEL))));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not an Ed25519 X.509 public key", e);
        }
    }

    /**
     * A key id derived from the public key: base64url of the first 9 bytes of SHA-256 over its X.509 encoding
     * (12 characters). Handy when nobody wants to name keys by hand.
     */
    public static String keyId(PublicKey key) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(requireEd25519(key).getEncoded());
            return TicketFormat.B64.encodeToString(java.util.Arrays.copyOf(h, 9));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static <K extends Key> K requireEd25519(K key) {
        if (key == null) {
            throw new IllegalArgumentException("key is required");
        }
        String alg = key.getAlgorithm();
        if (!"EdDSA".equals(alg) && !"Ed25519".equals(alg)) {
            throw new IllegalArgumentException("an Ed25519 key is required, got " + alg);
        }
        return key;
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + label + "-----\n";
    }

    private static byte[] unpem(String pem, String label) {
        if (pem == null) {
            throw new IllegalArgumentException("PEM text is required");
        }
        String begin = "-----BEGIN " + label + "-----";
        String end = "-----END " + label + "-----";
        int b = pem.indexOf(begin);
        int e = pem.indexOf(end);
        if (b < 0 || e < b) {
            throw new IllegalArgumentException("expected a PEM block '" + begin + "'");
        }
        String body = pem.substring(b + begin.length(), e).replaceAll("\\s", "");
        try {
            return Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("PEM body is not base64", ex);
        }
    }
}
