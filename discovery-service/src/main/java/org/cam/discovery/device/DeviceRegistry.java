package org.cam.discovery.device;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.Inet4Address;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.cam.discovery.config.DiscoveryConfig;
import org.cam.discovery.forward.ForwardQueue;
import org.cam.protocol.discovery.DeviceInfo;

/**
 * In-memory registry keyed by device id (the MAC). Not persisted on purpose: the start-up scan and the devices'
 * own announcements rebuild it, and management-api holds the durable record.
 */
@Startup // eager: its meters must exist before the first datagram
@ApplicationScoped
public class DeviceRegistry {

    private final ConcurrentHashMap<String, DiscoveredDevice> devices = new ConcurrentHashMap<>();

    @Inject
    DiscoveryConfig config;

    @Inject
    ForwardQueue forwardQueue;

    Clock clock = Clock.systemUTC();

    @Inject
    void registerMetrics(MeterRegistry registry) {
        Gauge.builder("cam.discovery.devices.known", devices, ConcurrentHashMap::size)
                .description("Devices in the registry (stale ones included)").register(registry);
        Gauge.builder("cam.discovery.devices.stale", this, DeviceRegistry::staleCount)
                .description("Devices silent for longer than cam.discovery.stale-after").register(registry);
    }

    /**
     * Records one accepted ANNOUNCE or REPLY. A new device or a material change gets a new version and is
     * queued for management-api; a repeat only refreshes lastSeen.
     *
     * @return the device as now recorded, or empty when it is new and the registry is full
     */
    public Optional<DiscoveredDevice> record(DeviceInfo info, Inet4Address source, int sourcePort, HeardVia via) {
        Instant now = clock.instant();
        String id = info.deviceId().toString();
        if (devices.size() >= config.maxDevices() && !devices.containsKey(id)) {
            return Optional.empty();
        }
        boolean[] forward = new boolean[1];
        DiscoveredDevice result = devices.compute(id, (k, old) -> {
            DiscoveredDevice fresh = new DiscoveredDevice(id, info.serial(), info.model(), info.firmwareVersion(),
                    info.name(), info.address().getHostAddress(), info.httpsPort(), info.kvmPorts().first(),
                    info.kvmPorts().last(), info.channelCount(), info.bootCounter(),
                    info.certificateFingerprint().toString(), source.getHostAddress(), sourcePort, via,
                    old == null ? now : old.firstSeen(), now, old == null ? 0 : old.version());
            if (old != null && !fresh.differsMateriallyFrom(old)) {
                return fresh;
            }
            forward[0] = true;
            long micros = ChronoUnit.MICROS.between(Instant.EPOCH, now);
            return withVersion(fresh, Math.max(micros, fresh.version() + 1));
        });
        if (forward[0]) {
            forwardQueue.offer(result);
        }
        return Optional.of(result);
    }

    private static DiscoveredDevice withVersion(DiscoveredDevice d, long version) {
        return new DiscoveredDevice(d.deviceId(), d.serial(), d.model(), d.firmwareVersion(), d.name(),
                d.deviceAddress(), d.httpsPort(), d.kvmPortFirst(), d.kvmPortLast(), d.channelCount(),
                d.bootCounter(), d.certificateFingerprint(), d.sourceAddress(), d.sourcePort(), d.heardVia(),
                d.firstSeen(), d.lastSeen(), version);
    }

    public Optional<DiscoveredDevice> find(String deviceId) {
        return Optional.ofNullable(devices.get(deviceId));
    }

    public Collection<DiscoveredDevice> all() {
        return devices.values();
    }

    public int size() {
        return devices.size();
    }

    public boolean isStale(DiscoveredDevice d) {
        return d.lastSeen().isBefore(clock.instant().minus(config.staleAfter()));
    }

    private double staleCount() {
        Instant limit = clock.instant().minus(config.staleAfter());
        return devices.values().stream().filter(d -> d.lastSeen().isBefore(limit)).count();
    }

    /** For tests: forget everything. */
    public void clear() {
        devices.clear();
    }
}
