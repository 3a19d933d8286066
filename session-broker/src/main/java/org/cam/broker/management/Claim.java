package org.cam.broker.management;

/**
 * A successful claim: the session is ACTIVE on this broker now.
 *
 * @param idleTimeoutSeconds 0 or absent: the broker's default
 * @param maxDurationSeconds 0 or absent: the broker's default
 * @param clipboard          which way clipboard content may move; absent: {@link Clipboard#BOTH}
 */
public record Claim(String sessionId, String user, String targetId, Mode mode, Device device,
                    long idleTimeoutSeconds, long maxDurationSeconds, Clipboard clipboard) {

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

    public enum DeviceAuth { NONE, VNC }

    /** Where the target's RFB endpoint is, and its credential (password only with auth VNC). */
    public record Device(String host, int port, DeviceAuth auth, String password) {
        @Override
        public String toString() {
            return "Device[" + host + ":" + port + ", auth=" + auth + "]"; // never log the password
        }
    }
}
