package org.cam.management.device;

/** What is being done to a managed device; while one runs its targets read "Updating device". */
public enum DeviceOperation {
    /** A configuration push (names, credentials) until the device answers it. */
    CONFIGURING,
    /** A firmware upgrade: upload, writing, reboot into the new version (see {@link FirmwareJob}). */
    FIRMWARE,
    /** A reboot an operator asked for, until the device runs again with a higher boot counter. */
    REBOOTING
}
