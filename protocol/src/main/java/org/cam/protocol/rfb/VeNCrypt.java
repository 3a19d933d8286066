package org.cam.protocol.rfb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.cam.protocol.ProtocolException;

/**
 * VeNCrypt (security type 19, rfbproto): after the type, both sides agree on version 0.2, the server lists sub-types
 * (u8 count, u32 each), the client picks one (u32), the server acknowledges with u8 1, then TLS starts and the
 * sub-type's own authentication runs inside it (none, VNC Authentication, or Plain: u32 username length, u32 password
 * length, both UTF-8). The TLS* sub-types use anonymous TLS, the X509* ones a server certificate.
 */
public final class VeNCrypt {

    /** Plain: username and password in the clear (never used by CAM). */
    public static final int PLAIN = 256;
    /** Anonymous TLS, no authentication. */
    public static final int TLS_NONE = 257;
    /** Anonymous TLS, then VNC Authentication. */
    public static final int TLS_VNC = 258;
    /** Anonymous TLS, then Plain. */
    public static final int TLS_PLAIN = 259;
    /** Certificate TLS, no authentication. */
    public static final int X509_NONE = 260;
    /** Certificate TLS, then VNC Authentication. */
    public static final int X509_VNC = 261;
    /** Certificate TLS, then Plain. */
    public static final int X509_PLAIN = 262;

    /** Version 0.2: the only one in use. */
    public static final int MAJOR = 0;
    /** Minor version. */
    public static final int MINOR = 2;
    /** Longest Plain username or password accepted. */
    public static final int MAX_PLAIN = 1024;

    private VeNCrypt() {
    }

    /** The two version bytes, 0.2. */
    public static byte[] version() {
        return new byte[] {MAJOR, MINOR};
    }

    /** The server's sub-type list. */
    public static byte[] encodeSubtypes(List<Integer> subtypes) {
        if (subtypes.isEmpty() || subtypes.size() > 0xff) {
            throw new IllegalArgumentException("1 to 255 sub-types");
        }
        byte[] b = new byte[1 + 4 * subtypes.size()];
        b[0] = (byte) subtypes.size();
        for (int i = 0; i < subtypes.size(); i++) {
            WireReader.putS32(b, 1 + 4 * i, subtypes.get(i));
        }
        return b;
    }

    /** Length of a sub-type list starting at {@code off}; {@code Integer.MAX_VALUE} while the count is unknown. */
    public static int subtypesLength(byte[] b, int off, int len) {
        return len < 1 ? Integer.MAX_VALUE : 1 + 4 * (b[off] & 0xff);
    }

    /** Decodes the server's sub-type list. */
    public static List<Integer> decodeSubtypes(byte[] b, int off, int len) throws ProtocolException {
        WireReader r = new WireReader(b, off, len);
        int n = r.u8();
        if (n == 0) {
            throw new ProtocolException(0, "VeNCrypt: no sub-types offered");
        }
        List<Integer> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(r.s32());
        }
        r.end();
        return out;
    }

    /** A u32 (the client's chosen sub-type). */
    public static byte[] u32(int v) {
        byte[] b = new byte[4];
        WireReader.putS32(b, 0, v);
        return b;
    }

    /** The Plain credentials message. */
    public static byte[] encodePlain(String username, String password) {
        byte[] u = username.getBytes(StandardCharsets.UTF_8);
        byte[] p = password.getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[8 + u.length + p.length];
        WireReader.putS32(b, 0, u.length);
        WireReader.putS32(b, 4, p.length);
        System.arraycopy(u, 0, b, 8, u.length);
        System.arraycopy(p, 0, b, 8 + u.length, p.length);
        return b;
    }

    /** True for the sub-types that run TLS with a certificate. */
    public static boolean x509(int subtype) {
        return subtype == X509_NONE || subtype == X509_VNC || subtype == X509_PLAIN;
    }

    /** A readable name for logs and errors. */
    public static String name(int subtype) {
        switch (subtype) {
            case PLAIN: return "Plain";
            case TLS_NONE: return "TLSNone";
            case TLS_VNC: return "TLSVnc";
            case TLS_PLAIN: return "TLSPlain";
            case X509_NONE: return "X509None";
            case X509_VNC: return "X509Vnc";
            case X509_PLAIN: return "X509Plain";
            case SecurityType.NONE: return "None";
            case SecurityType.VNC_AUTH: return "VncAuth";
            default: return "subtype(" + subtype + ")";
        }
    }
}
