package org.cam.broker.session;

/** Why a session ended: the {@code reason} of the end report and a metric label. Stable wire names. */
public enum EndReason {
    CLIENT_CLOSED("client_closed"),
    DEVICE_CLOSED("device_closed"),
    DEVICE_UNREACHABLE("device_unreachable"),
    DEVICE_PROTOCOL_ERROR("device_protocol_error"),
    /** The device refused the viewer before authentication with a reason (e.g. a KVM switch showing another channel). */
    DEVICE_REFUSED("device_refused"),
    CLIENT_PROTOCOL_ERROR("client_protocol_error"),
    HANDSHAKE_TIMEOUT("handshake_timeout"),
    IDLE_TIMEOUT("idle_timeout"),
    MAX_DURATION("max_duration"),
    ADMIN_DISCONNECT("admin_disconnect"),
    BROKER_DRAINED("broker_drained"),
    /** The owner resumed the session on another connection (another broker, or this one): this leg is over. */
    RESUMED_ELSEWHERE("resumed_elsewhere"),
    /** The target set records sessions fail-closed and the recording could not be written. */
    RECORDING_FAILED("recording_failed");

    private final String wire;

    EndReason(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
