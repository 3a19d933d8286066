package org.cam.protocol.discovery;

import java.net.Inet4Address;
import java.util.Objects;
import org.cam.protocol.Text;

/**
 * What a device advertises about itself in ANNOUNCE and REPLY. Immutable; validated on construction, so a
 * {@code DeviceInfo} in hand always encodes.
 *
 * <p>Optional values are {@code null} (only {@link #name()} is optional). Text fields are 1..N bytes of UTF-8
 * without control characters.
 *
 * @param deviceId the device's MAC address: its identity
 * @param serial serial number, 1..64 bytes
 * @param model model name, 1..64 bytes
 * @param firmwareVersion firmware version, 1..32 bytes
 * @param name the device name an administrator set, 1..64 bytes, or null when none is set
 * @param address the device's IPv4 address (for its HTTPS API and KVM ports)
 * @param httpsPort TCP port of the device's HTTPS API, 1..65535
 * @param kvmPorts the KVM (RFB) port range; channel c is on {@code kvmPorts.first() + c - 1}
 * @param channelCount number of KVM channels (targets), 1..255 and at most {@code kvmPorts.size()}
 * @param bootCounter how many times the device has booted, 0..2^32-1; lets the manager tell a reboot from a repeat
 * @param certificateFingerprint SHA-256 of the device's HTTPS certificate
 */
public record DeviceInfo(
        MacAddress deviceId,
        String serial,
        String model,
        String firmwareVersion,
        String name,
        Inet4Address address,
        int httpsPort,
        PortRange kvmPorts,
        int channelCount,
        long bootCounter,
        CertificateFingerprint certificateFingerprint) {

    public static final int MAX_SERIAL_BYTES = 64;
    public static final int MAX_MODEL_BYTES = 64;
    public static final int MAX_FIRMWARE_BYTES = 32;
    public static final int MAX_NAME_BYTES = 64;
    public static final int MAX_CHANNELS = 255;

    public DeviceInfo {
        Objects.requireNonNull(deviceId, "deviceId");
        Text.checkField(serial, "serial", MAX_SERIAL_BYTES, false);
        Text.checkField(model, "model", MAX_MODEL_BYTES, false);
        Text.checkField(firmwareVersion, "firmwareVersion", MAX_FIRMWARE_BYTES, false);
        Text.checkField(name, "name", MAX_NAME_BYTES, true);
        Objects.requireNonNull(address, "address");
        if (httpsPort < 1 || httpsPort > 65535) {
            throw new IllegalArgumentException("httpsPort must be 1..65535");
        }
        Objects.requireNonNull(kvmPorts, "kvmPorts");
        if (channelCount < 1 || channelCount > MAX_CHANNELS || channelCount > kvmPorts.size()) {
            throw new IllegalArgumentException("channelCount must be 1..255 and fit the KVM port range " + kvmPorts);
        }
        if (bootCounter < 0 || bootCounter > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("bootCounter must be 0..4294967295");
        }
        Objects.requireNonNull(certificateFingerprint, "certificateFingerprint");
    }

    /** This device after a reboot: same fields, new boot counter. */
    public DeviceInfo withBootCounter(long newBootCounter) {
        return new DeviceInfo(deviceId, serial, model, firmwareVersion, name, address, httpsPort, kvmPorts,
                channelCount, newBootCounter, certificateFingerprint);
    }

    /** This device at another IPv4 address (e.g. after DHCP gave it a new one). */
    public DeviceInfo withAddress(Inet4Address newAddress) {
        return new DeviceInfo(deviceId, serial, model, firmwareVersion, name, newAddress, httpsPort, kvmPorts,
                channelCount, bootCounter, certificateFingerprint);
    }
}
