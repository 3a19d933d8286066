package org.cam.protocol.rfb;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.cam.protocol.ProtocolException;

/**
 * The security part of the RFB handshake (RFC 6143 sections 7.1.2 and 7.1.3): the server's offer of
 * security types, the client's choice and the SecurityResult.
 *
 * <p>Incremental decoders ({@code *Length}) return the number of bytes the complete message needs, or a
 * value larger than what is available when more bytes must arrive first.
 */
public final class Handshake {

    /** SecurityResult value for success. */
    public static final int RESULT_OK = 0;
    /** SecurityResult value for failure. */
    public static final int RESULT_FAILED = 1;
    /** Upper bound for reason strings we accept from a peer. */
    public static final int MAX_REASON = 4096;

    private Handshake() {
    }

    /**
     * The server's security offer: for 3.7/3.8 a count and the list; for 3.3 a single u32 chosen by the
     * server (the first of {@code types}).
     */
    public static byte[] encodeSecurityTypes(RfbVersion version, List<Integer> types) {
        if (types.isEmpty() || types.size() > 255) {
            throw new IllegalArgumentException("1..255 security types");
        }
        if (!version.negotiatesSecurityTypes()) {
            byte[] b = new byte[4];
            WireReader.putS32(b, 0, types.get(0));
            return b;
        }
        byte[] b = new byte[1 + types.size()];
        b[0] = (byte) types.size();
        for (int i = 0; i < types.size(); i++) {
            b[1 + i] = (byte) (int) types.get(i);
        }
        return b;
    }

    /** A failure instead of a security offer: 0 types (3.7/3.8) or u32 0 (3.3), then a reason string. */
    public static byte[] encodeSecurityFailure(RfbVersion version, String reason) {
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        int head = version.negotiatesSecurityTypes() ? 1 : 4;
        byte[] b = new byte[head + 4 + r.length];
        WireReader.putS32(b, head, r.length);
        System.arraycopy(r, 0, b, head + 4, r.length);
        return b;
    }

    /**
     * Decodes a 3.7/3.8 security offer. Returns null when more bytes are needed.
     *
     * @throws ProtocolException when the server offered no type (the reason is in the exception)
     */
    public static List<Integer> decodeSecurityTypes(byte[] b, int off, int len) throws ProtocolException {
        if (len < 1) {
            return null;
        }
        int n = b[off] & 0xff;
        if (n == 0) {
            String reason = decodeReason(b, off + 1, len - 1);
            if (reason == null) {
                return null;
            }
            throw new ProtocolException(0, "server refused: " + reason);
        }
        if (len < 1 + n) {
            return null;
        }
        List<Integer> types = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            types.add(b[off + 1 + i] & 0xff);
        }
        return types;
    }

    /** Length of a 3.7/3.8 security offer, or {@code Integer.MAX_VALUE} when not yet known. */
    public static int securityTypesLength(byte[] b, int off, int len) throws ProtocolException {
        if (len < 1) {
            return Integer.MAX_VALUE;
        }
        int n = b[off] & 0xff;
        if (n > 0) {
            return 1 + n;
        }
        if (len < 5) {
            return Integer.MAX_VALUE;
        }
        return 5 + reasonLength(b, off + 1);
    }

    /** The SecurityResult: u32 status, and for a failure under 3.8 a reason string. */
    public static byte[] encodeSecurityResult(RfbVersion version, boolean ok, String reason) {
        if (ok || version != RfbVersion.V3_8) {
            byte[] b = new byte[4];
            WireReader.putS32(b, 0, ok ? RESULT_OK : RESULT_FAILED);
            return b;
        }
        byte[] r = reason.getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[8 + r.length];
        WireReader.putS32(b, 0, RESULT_FAILED);
        WireReader.putS32(b, 4, r.length);
        System.arraycopy(r, 0, b, 8, r.length);
        return b;
    }

    /**
     * A decoded SecurityResult.
     *
     * @param ok     true for success
     * @param reason the server's reason for a failure (3.8 only), else null
     * @param length bytes the message occupied
     */
    public record SecurityResult(boolean ok, String reason, int length) {
    }

    /**
     * Decodes a SecurityResult as the client sees it; null when more bytes are needed.
     *
     * @throws ProtocolException for a status other than 0 or 1, or a bad reason length
     */
    public static SecurityResult decodeSecurityResult(RfbVersion version, byte[] b, int off, int len)
            throws ProtocolException {
        if (len < 4) {
            return null;
        }
        int status = new WireReader(b, off, 4).s32();
        if (status == RESULT_OK) {
            return new SecurityResult(true, null, 4);
        }
        if (status != RESULT_FAILED) {
            throw new ProtocolException(0, "unknown security result " + status);
        }
        if (version != RfbVersion.V3_8) {
            return new SecurityResult(false, null, 4);
        }
        String reason = decodeReason(b, off + 4, len - 4);
        if (reason == null) {
            return null;
        }
        return new SecurityResult(false, reason, 8 + reason.getBytes(StandardCharsets.UTF_8).length);
    }

    /**
     * Decodes a length-prefixed reason string; null when more bytes are needed.
     *
     * @throws ProtocolException when the length is negative or above {@link #MAX_REASON}
     */
    public static String decodeReason(byte[] b, int off, int len) throws ProtocolException {
        if (len < 4) {
            return null;
        }
        int n = reasonLength(b, off);
        if (len < 4 + n) {
            return null;
        }
        return new String(b, off + 4, n, StandardCharsets.UTF_8);
    }

    private static int reasonLength(byte[] b, int off) throws ProtocolException {
        int n = new WireReader(b, off, 4).s32();
        if (n < 0 || n > MAX_REASON) {
            throw new ProtocolException(0, "reason length out of range: " + n);
        }
        return n;
    }
}
