package org.cam.protocol.discovery;

/** The three discovery datagrams. The wire code is the header's type byte. */
public enum MessageType {
    /** Manager to devices (broadcast or unicast, to port 3080 or the fallback 3081): "who is there?". */
    DISCOVER(1),
    /** Device at boot: broadcast in auto mode, unicast to the configured manager in manual mode. */
    ANNOUNCE(2),
    /** Device's answer to a DISCOVER, always sent to the manager's answer port (3080), echoing its transaction id. */
    REPLY(3);

    private final int code;

    MessageType(int code) {
        this.code = code;
    }

    /** The value of the header's type byte. */
    public int code() {
        return code;
    }

    /** The type for a wire code, or null when unknown. */
    public static MessageType ofCode(int code) {
        switch (code) {
            case 1: return DISCOVER;
            case 2: return ANNOUNCE;
            case 3: return REPLY;
            default: return null;
        }
    }
}
