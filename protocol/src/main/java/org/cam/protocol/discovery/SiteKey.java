package org.cam.protocol.discovery;

import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The site-wide secret for HMAC-SHA256 over discovery datagrams: 16..64 bytes, typically given in configuration as
 * base64. Never printed ({@link #toString()} hides it).
 */
public final class SiteKey {

    public static final int MIN_BYTES = 16;
    public static final int MAX_BYTES = 64;
    static final int MAC_LENGTH = 32;

    private final SecretKeySpec spec;
    // Mac objects are not thread-safe and costly to init: one per thread and key.
    private final ThreadLocal<Mac> macs;

    private SiteKey(byte[] key) {
        if (key == null || key.length < MIN_BYTES || key.length > MAX_BYTES) {
            throw new IllegalArgumentException("site key must be " + MIN_BYTES + ".." + MAX_BYTES + " bytes");
        }
        this.spec = new SecretKeySpec(key, "HmacSHA256");
        this.macs = ThreadLocal.withInitial(this::newMac);
    }

    /** From raw bytes (copied). */
    public static SiteKey of(byte[] key) {
        return new SiteKey(key == null ? null : key.clone());
    }

    /** From standard base64 (e.g. {@code openssl rand -base64 32}). */
    public static SiteKey fromBase64(String base64) {
        try {
            return new SiteKey(Base64.getDecoder().decode(base64.trim()));
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalArgumentException("site key is not valid base64 of 16..64 bytes");
        }
    }

    private Mac newMac() {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(spec);
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is mandatory in every JDK", e);
        }
    }

    /** Writes the HMAC of {@code len} bytes at {@code off} into {@code out} at {@code outOff}. */
    void sign(byte[] buf, int off, int len, byte[] out, int outOff) {
        Mac mac = macs.get();
        mac.update(buf, off, len);
        try {
            mac.doFinal(out, outOff);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time check of the HMAC at {@code macOff} over {@code len} bytes at {@code off}. */
    boolean verify(byte[] buf, int off, int len, int macOff) {
        Mac mac = macs.get();
        mac.update(buf, off, len);
        byte[] expected = mac.doFinal();
        // Same as MessageDigest.isEqual, without copying the received MAC out of the datagram.
        int diff = 0;
        for (int i = 0; i < MAC_LENGTH; i++) {
            diff |= expected[i] ^ buf[macOff + i];
        }
        return diff == 0;
    }

    @Override
    public String toString() {
        return "SiteKey[hidden]";
    }
}
