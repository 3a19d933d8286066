package org.cam.discovery.device.rest;

import java.time.Instant;
import org.cam.discovery.device.DiscoveredDevice;

/** A registry entry as the REST API shows it. */
public record DiscoveryView(
        String deviceId,
        String serial,
        String model,
        String firmwareVersion,
        String name,
        String address,
        int httpsPort,
        int kvmPortFirst,
        int kvmPortLast,
        int channelCount,
        long bootCounter,
        String certificateFingerprint,
        String sourceAddress,
        int sourcePort,
        String heardVia,
        Instant firstSeen,
        Instant lastSeen,
        boolean stale,
        long version) {

    static DiscoveryView of(DiscoveredDevice d, boolean stale) {
        return new DiscoveryView(d.deviceId(), d.serial(), d.model(), d.firmwareVersion(), d.name(),
                d.deviceAddress(), d.httpsPort(), d.kvmPortFirst(), d.kvmPortLast(), d.channelCount(),
                d.bootCounter(), d.certificateFingerprint(), d.sourceAddress(), d.sourcePort(), d.heardVia().name(),
                d.firstSeen(), d.lastSeen(), stale, d.version());
    }
}
