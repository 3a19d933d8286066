package org.cam.protocol.discovery;

/** Default UDP ports of the discovery protocol. Services take the actual ports from configuration. */
public final class DiscoveryPorts {

    /** The manager listens here; devices send ANNOUNCE and every REPLY here. Also a DISCOVER port. */
    public static final int ANSWER = 3080;
    /** Fallback DISCOVER port, for networks where 3080 towards devices is blocked; answers still go to 3080. */
    public static final int FALLBACK = 3081;

    private DiscoveryPorts() {
    }
}
