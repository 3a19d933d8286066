package org.cam.discovery.device;

/** How the service last heard from a device. */
public enum HeardVia {
    /** ANNOUNCE without the manual-mode flag: the device broadcast it (auto mode). */
    BROADCAST_ANNOUNCE,
    /** ANNOUNCE with the manual-mode flag: sent by unicast to the configured manager address. */
    UNICAST_ANNOUNCE,
    /** REPLY to one of our DISCOVERs. */
    SCAN_REPLY
}
