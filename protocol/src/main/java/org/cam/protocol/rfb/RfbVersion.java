package org.cam.protocol.rfb;

import java.nio.charset.StandardCharsets;
import org.cam.protocol.ProtocolException;

/**
 * The RFB protocol versions we speak (RFC 6143 section 7.1.1), and the 12-byte ProtocolVersion message
 * {@code "RFB 003.008\n"}.
 *
 * <p>Per the RFC a server treats an unknown minor version as the highest one it knows below it, so a client
 * announcing 3.889 (Apple) is spoken to as 3.8, and 3.4-3.6 as 3.3.
 */
public enum RfbVersion {
    V3_3(3),
    V3_7(7),
    V3_8(8);

    /** Length of the ProtocolVersion message in bytes. */
    public static final int LENGTH = 12;

    private final int minor;

    RfbVersion(int minor) {
        this.minor = minor;
    }

    /** The minor version number (3, 7 or 8). */
    public int minor() {
        return minor;
    }

    /** True for 3.7 and 3.8, which negotiate a list of security types instead of the server choosing one. */
    public boolean negotiatesSecurityTypes() {
        return this != V3_3;
    }

    /** The 12 wire bytes, e.g. {@code RFB 003.008\n}. */
    public byte[] encode() {
        return String.format("RFB 003.%03d\n", minor).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Parses a ProtocolVersion message and maps it to the version both sides will speak.
     *
     * @throws ProtocolException when the bytes are not {@code RFB xxx.yyy\n} or the major version is not 3
     */
    public static RfbVersion decode(byte[] b, int off, int len) throws ProtocolException {
        if (len < LENGTH) {
            throw new ProtocolException(len, "truncated protocol version");
        }
        if (b[off] != 'R' || b[off + 1] != 'F' || b[off + 2] != 'B' || b[off + 3] != ' ' || b[off + 7] != '.'
                || b[off + 11] != '\n') {
            throw new ProtocolException(0, "not an RFB protocol version");
        }
        int major = digits(b, off + 4, 4);
        int minor = digits(b, off + 8, 8);
        if (major != 3) {
            throw new ProtocolException(4, "unsupported major version " + major);
        }
        if (minor >= 8) {
            return V3_8;
        }
        if (minor == 7) {
            return V3_7;
        }
        return V3_3;
    }

    private static int digits(byte[] b, int at, int reportOffset) throws ProtocolException {
        int v = 0;
        for (int i = 0; i < 3; i++) {
            int c = b[at + i];
            if (c < '0' || c > '9') {
                throw new ProtocolException(reportOffset + i, "version digit expected");
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
