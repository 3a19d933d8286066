package org.cam.broker.management;

/**
 * A successful claim: the session is ACTIVE on this broker now.
 *
 * @param idleTimeoutSeconds 0 or absent: the broker's default
 * @param maxDurationSeconds 0 or absent: the broker's default
 * @param clipboard          which way clipboard content may move; absent: {@link Clipboard#BOTH}
 * @param recording          whether and how the session is recorded; absent: not recorded
 * @param leg                which leg of the session this claim opened (1 for the first, one more for each resume);
 *                           the end report names it; absent: 0 (the session's current leg)
 * @param resumable          whether a browser console may resume the session on another broker when this one drains
 */
public record Claim(String sessionId, String user, String targetId, Mode mode, Device device,
                    long idleTimeoutSeconds, long maxDurationSeconds, Clipboard clipboard, Recording recording,
                    int leg, boolean resumable) {

    /** The claim without a recording (what management-api sends for targets that are not recorded). */
    public Claim(String sessionId, String user, String targetId, Mode mode, Device device, long idleTimeoutSeconds,
                 long maxDurationSeconds, Clipboard clipboard) {
        this(sessionId, user, targetId, mode, device, idleTimeoutSeconds, maxDurationSeconds, clipboard, null, 0,
                false);
    }

    /**
     * The target set's recording policy for this session.
     *
     * @param enabled    record the session
     * @param failClosed no session when the recording cannot be written (at the start, or later: the session ends
     *                   with reason recording_failed); otherwise the session goes on unrecorded
     */
    public record Recording(boolean enabled, boolean failClosed) {
    }

    /** True when the session is to be recorded. */
    public boolean recorded() {
        return recording != null && recording.enabled();
    }

    public Claim {
        clipboard = clipboard == null ? Clipboard.BOTH : clipboard;
    }

    public enum Mode { CONTROL, VIEW }

    /**
     * The clipboard policy of the grant behind the session: BOTH ways, TO_TARGET only (the user may paste into the
     * target, nothing comes out), NONE. A view session never sends clipboard to the target, and receives the
     * target's only with BOTH.
     */
    public enum Clipboard { BOTH, TO_TARGET, NONE }

    /** NONE; VNC: VNC Authentication with the password; PLAIN: VeNCrypt Plain with username and password. */
    public enum DeviceAuth { NONE, VNC, PLAIN }

    /**
     * Where the target's RFB endpoint is, its credential, and how to trust its certificate under VeNCrypt X509: a
     * pinned SHA-256 fingerprint (hex) or CA certificates (PEM); the broker's own CA file counts too.
     */
    public record Device(String host, int port, DeviceAuth auth, String username, String password,
                         String tlsFingerprint, String tlsCaPem) {
        public Device {
            auth = auth == null ? DeviceAuth.NONE : auth;
        }

        @Override
        public String toString() {
            return "Device[" + host + ":" + port + ", auth=" + auth + "]"; // never log the password
        }
    }
}
