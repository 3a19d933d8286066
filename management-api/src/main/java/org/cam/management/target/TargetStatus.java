package org.cam.management.target;

/**
 * A target's status as operators read it. UNASSIGNED: a device channel whose device is not managed (any more);
 * UNAVAILABLE: its device is offline or the channel is powered off; UPDATING_DEVICE: configuration or firmware is
 * being applied; BUSY: the device (switch-attached) reports another of its channels in use; REMOTE_ACTIVE_SESSION:
 * somebody is connected (who: {@code activeUsers}); AVAILABLE otherwise.
 */
public enum TargetStatus {
    AVAILABLE("Available"),
    REMOTE_ACTIVE_SESSION("Remote active session"),
    UPDATING_DEVICE("Updating device"),
    UNAVAILABLE("Unavailable"),
    BUSY("Busy"),
    UNASSIGNED("Unassigned");

    private final String label;

    TargetStatus(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
