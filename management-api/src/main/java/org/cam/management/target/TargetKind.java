package org.cam.management.target;

/** RFB_ENDPOINT: any host:port speaking RFB (QEMU, PiKVM, a BMC); DEVICE_CHANNEL: a channel of an enrolled device. */
public enum TargetKind { RFB_ENDPOINT, DEVICE_CHANNEL }
