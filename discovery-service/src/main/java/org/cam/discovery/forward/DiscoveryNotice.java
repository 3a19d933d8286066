package org.cam.discovery.forward;

import java.time.Instant;
import org.cam.discovery.device.DiscoveredDevice;

/**
 * The body of {@code POST /api/v1/internal/discoveries} (contract in docs/protocols/discovery.md): the full
 * current state of one device, so management-api can upsert it by {@link #deviceId} and ignore any notice whose
 * {@link #version} is not greater than the one it stored.
 */
public record DiscoveryNotice(
        String deviceId,
        long version,
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
        String heardVia,
        Instant firstSeen,
        Instant lastSeen) {

    public static DiscoveryNotice of(DiscoveredDevice d) {
        return new DiscoveryNotice(d.deviceId(), d.version(), d.serial(), d.model(), d.firmwareVersion(), d.name(),
                d.deviceAddress(), d.httpsPort(), d.kvmPortFirst(), d.kvmPortLast(), d.channelCount(),
                d.bootCounter(), d.certificateFingerprint(), d.sourceAddress(), d.heardVia().name(), d.firstSeen(),
                d.lastSeen());
    }
}
