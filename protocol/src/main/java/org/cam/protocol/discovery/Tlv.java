package org.cam.protocol.discovery;

/**
 * The TLV types of discovery datagrams (see docs/protocols/discovery.md). {@link #label} is the name used in
 * reject reasons ("missing field: serial").
 */
public enum Tlv {
    DEVICE_ID(0x01, "device id", 6, 6),
    SERIAL(0x02, "serial", 1, DeviceInfo.MAX_SERIAL_BYTES),
    MODEL(0x03, "model", 1, DeviceInfo.MAX_MODEL_BYTES),
    FIRMWARE_VERSION(0x04, "firmware version", 1, DeviceInfo.MAX_FIRMWARE_BYTES),
    DEVICE_NAME(0x05, "device name", 1, DeviceInfo.MAX_NAME_BYTES),
    IPV4_ADDRESS(0x06, "ipv4 address", 4, 4),
    HTTPS_PORT(0x07, "https port", 2, 2),
    KVM_PORTS(0x08, "kvm ports", 4, 4),
    CHANNEL_COUNT(0x09, "channel count", 1, 1),
    BOOT_COUNTER(0x0A, "boot counter", 4, 4),
    CERT_FINGERPRINT(0x0B, "certificate fingerprint", 32, 32),
    MANAGER_ID(0x10, "manager id", 1, DiscoveryMessage.MAX_MANAGER_ID_BYTES),
    MANAGER_ADDRESS(0x11, "manager address", 6, 6);

    private static final Tlv[] BY_CODE = new Tlv[256];

    static {
        for (Tlv t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    /** Type byte on the wire. */
    public final int code;
    /** Name in reject reasons. */
    public final String label;
    final int minLength;
    final int maxLength;
    final String badReason;
    final String missingReason;

    Tlv(int code, String label, int minLength, int maxLength) {
        this.code = code;
        this.label = label;
        this.minLength = minLength;
        this.maxLength = maxLength;
        this.badReason = DiscoveryReasons.BAD_FIELD_PREFIX + label;
        this.missingReason = DiscoveryReasons.MISSING_FIELD_PREFIX + label;
    }

    /** The known type for a wire code, or null (unknown types are skipped by the decoder). */
    static Tlv ofCode(int code) {
        return BY_CODE[code & 0xFF];
    }

    boolean isDeviceField() {
        return code < 0x10;
    }
}
