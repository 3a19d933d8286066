package org.cam.protocol.rfb;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * VNC Authentication (RFC 6143 section 7.2.2): the server sends a 16-byte challenge, the client returns it
 * DES-encrypted with the password as key.
 *
 * <p>The key is the password's first 8 bytes (Latin-1, zero padded), with each byte's bits reversed: the
 * original VNC implementation fed DES its key bit order backwards, and every client since copies that.
 * Both the server side (verify) and the client side (respond) use this class, so the broker and the
 * simulator agree by construction.
 */
public final class VncAuth {

    /** Length of the challenge and of the response. */
    public static final int CHALLENGE_LENGTH = 16;

    private VncAuth() {
    }

    /** A fresh random challenge. */
    public static byte[] challenge(SecureRandom random) {
        byte[] c = new byte[CHALLENGE_LENGTH];
        random.nextBytes(c);
        return c;
    }

    /** The client's answer to {@code challenge} for {@code password} (only its first 8 characters count). */
    public static byte[] response(byte[] challenge, String password) {
        if (challenge.length != CHALLENGE_LENGTH) {
            throw new IllegalArgumentException("challenge must be 16 bytes");
        }
        try {
            Cipher des = Cipher.getInstance("DES/ECB/NoPadding");
            des.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key(password), "DES"));
            return des.doFinal(challenge);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("DES not available", e);
        }
    }

    /** Whether {@code response} answers {@code challenge} for {@code password}; constant time. */
    public static boolean verify(byte[] challenge, byte[] response, String password) {
        return response != null && response.length == CHALLENGE_LENGTH
                && MessageDigest.isEqual(response(challenge, password), response);
    }

    /** The 8-byte DES key for a password, bits of each byte reversed. */
    static byte[] key(String password) {
        byte[] key = new byte[8];
        byte[] pw = password.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < 8 && i < pw.length; i++) {
            key[i] = (byte) (Integer.reverse(pw[i] & 0xff) >>> 24);
        }
        return key;
    }

    private static final byte[] PASSWORD_FILE_KEY = {23, 82, 107, 6, 35, 78, 88, 7};

    /**
     * vncpasswd's file format, read by vncsnapshot, TigerVNC's viewer ({@code -passwd}) and Xvnc ({@code -rfbauth}):
     * the password (at most 8 characters) DES-encrypted with VNC's fixed key, in the same bit order as above.
     */
    public static byte[] passwordFile(String password) {
        byte[] block = new byte[CHALLENGE_LENGTH];
        byte[] pw = password.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(pw, 0, block, 0, Math.min(8, pw.length));
        byte[] enc = response(block, new String(PASSWORD_FILE_KEY, StandardCharsets.ISO_8859_1));
        return java.util.Arrays.copyOf(enc, 8);
    }
}
