package org.cam.testsupport.rfb;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.cam.protocol.rfb.VncAuth;

/**
 * vncpasswd's file format ({@link VncAuth#passwordFile}) written to a file, for vncsnapshot, xtigervncviewer
 * ({@code -passwd}) and Xvnc ({@code -rfbauth}).
 */
public final class VncPasswordFile {
    private VncPasswordFile() {
    }

    public static byte[] encode(String password) {
        return VncAuth.passwordFile(password);
    }

    /** Writes the file (owner read/write only, as vncpasswd does) and returns it. */
    public static Path write(Path file, String password) throws IOException {
        Files.write(file, encode(password));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}
