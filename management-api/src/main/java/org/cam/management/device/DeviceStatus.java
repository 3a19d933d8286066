package org.cam.management.device;

/** What the device channel last told us: UNKNOWN before the first poll; UPDATING while configuration or firmware is
 *  being applied; OFFLINE after the configured number of missed polls. */
public enum DeviceStatus { UNKNOWN, ONLINE, OFFLINE, UPDATING }
