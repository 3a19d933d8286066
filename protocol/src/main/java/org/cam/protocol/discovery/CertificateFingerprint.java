package org.cam.protocol.discovery;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * SHA-256 fingerprint of a device's HTTPS certificate (exactly 32 bytes), which the manager pins when it enrols
 * the device. Printed as 64 lower-case hex digits. Immutable: the bytes are copied in and out.
 */
public final class CertificateFingerprint {

    /** Length in bytes. */
    public static final int LENGTH = 32;

    private final byte[] bytes;

    private CertificateFingerprint(byte[] bytes) {
        this.bytes = bytes;
    }

    /** From exactly 32 bytes (copied). */
    public static CertificateFingerprint of(byte[] sha256) {
        if (sha256 == null || sha256.length != LENGTH) {
            throw new IllegalArgumentException("certificate fingerprint must be 32 bytes");
        }
        return new CertificateFingerprint(sha256.clone());
    }

    static CertificateFingerprint wrap(byte[] owned) {
        return new CertificateFingerprint(owned);
    }

    /** SHA-256 over a certificate's DER encoding ({@code X509Certificate.getEncoded()}). */
    public static CertificateFingerprint ofCertificate(byte[] derEncoded) {
        try {
            return new CertificateFingerprint(MessageDigest.getInstance("SHA-256").digest(derEncoded));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is mandatory in every JDK", e);
        }
    }

    /** From 64 hex digits; colons (as {@code openssl x509 -fingerprint} prints them) are ignored. */
    public static CertificateFingerprint parse(String hex) {
        String digits = hex == null ? "" : hex.replace(":", "");
        if (digits.length() != LENGTH * 2) {
            throw new IllegalArgumentException("certificate fingerprint must be 64 hex digits");
        }
        return new CertificateFingerprint(HexFormat.of().parseHex(digits));
    }

    /** A copy of the 32 bytes. */
    public byte[] toBytes() {
        return bytes.clone();
    }

    void writeTo(byte[] out, int off) {
        System.arraycopy(bytes, 0, out, off, LENGTH);
    }

    /** Constant-time comparison with a fingerprint computed elsewhere, e.g. from a presented certificate. */
    public boolean matches(byte[] sha256) {
        return sha256 != null && MessageDigest.isEqual(bytes, sha256);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CertificateFingerprint other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
