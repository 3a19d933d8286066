package org.cam.broker.management;

/**
 * A successful claim: the session is ACTIVE on this broker now.
 *
 * @param idleTimeoutSeconds 0 or absent: the broker's default
 * @param maxDurationSeconds 0 or absent: the broker's default
 */
public record Claim(String sessionId, String user, String targetId, Mode mode, Device device,
                    long idleTimeoutSeconds, long maxDurationSeconds) {

    public enum Mode { CONTROL, VIEW }

    public enum DeviceAuth { NONE, VNC }

    /** Where the target's RFB endpoint is, and its credential (password only with auth VNC). */
    public record Device(String host, int port, DeviceAuth auth, String password) {
        @Override
        public String toString() {
            return "Device[" + host + ":" + port + ", auth=" + auth + "]"; // never log the password
        }
    }
}
