package org.cam.testsupport.rfb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.cam.protocol.rfb.VncAuth;

/**
 * vncpasswd's file format, read by vncsnapshot, xtigervncviewer ({@code -passwd}) and Xvnc ({@code -rfbauth}): the
 * password (at most 8 characters) DES-encrypted with VNC's fixed key, in d3des bit order as {@link VncAuth} does.
 */
public final class VncPasswordFile {
    private static final byte[] FIXED_KEY = {23, 82, 107, 6, 35, 78, 88, 7};

    private VncPasswordFile() {
    }

    public static byte[] encode(String password) {
        byte[] block = new byte[16];
        byte[] pw = password.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(pw, 0, block, 0, Math.min(8, pw.length));
        byte[] enc = VncAuth.response(block, new String(FIXED_KEY, StandardCharsets.ISO_8859_1));
        return Arrays.copyOf(enc, 8);
    }

    /** Writes the file (owner read/write only, as vncpasswd does) and returns it. */
    public static Path write(Path file, String password) throws IOException {
        Files.write(file, encode(password));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}
