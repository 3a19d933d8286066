package org.cam.protocol.rfb;

/** RFB security type numbers (RFC 6143 section 7.1.2) that CAM uses. */
public final class SecurityType {

    /** Connection failed; a reason string follows (3.7/3.8) or the server's u32 is 0 (3.3). */
    public static final int INVALID = 0;
    /** No authentication. */
    public static final int NONE = 1;
    /** VNC Authentication: DES challenge-response, see {@link VncAuth}. */
    public static final int VNC_AUTH = 2;
    /** VeNCrypt: TLS and a sub-type (see {@link VeNCrypt}). */
    public static final int VENCRYPT = 19;

    private SecurityType() {
    }
}
