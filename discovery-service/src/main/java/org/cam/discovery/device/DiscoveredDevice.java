package org.cam.discovery.device;

import java.time.Instant;

/**
 * What the registry knows about one device. Immutable; the registry replaces it on every datagram.
 *
 * @param version strictly increasing per device, also across restarts (it starts from the clock in
 *     microseconds), so management-api can drop a retried or out-of-order update
 */
public record DiscoveredDevice(
        String deviceId,
        String serial,
        String model,
        String firmwareVersion,
        String name,
        String deviceAddress,
        int httpsPort,
        int kvmPortFirst,
        int kvmPortLast,
        int channelCount,
        long bootCounter,
        String certificateFingerprint,
        String sourceAddress,
        int sourcePort,
        HeardVia heardVia,
        Instant firstSeen,
        Instant lastSeen,
        long version) {

    /** True when anything management-api cares about differs (not the timestamps or how it was heard). */
    public boolean differsMateriallyFrom(DiscoveredDevice o) {
        return !(serial.equals(o.serial)
                && model.equals(o.model)
                && firmwareVersion.equals(o.firmwareVersion)
                && java.util.Objects.equals(name, o.name)
                && deviceAddress.equals(o.deviceAddress)
                && httpsPort == o.httpsPort
                && kvmPortFirst == o.kvmPortFirst
                && kvmPortLast == o.kvmPortLast
                && channelCount == o.channelCount
                && bootCounter == o.bootCounter
                && certificateFingerprint.equals(o.certificateFingerprint)
                && sourceAddress.equals(o.sourceAddress));
    }
}
