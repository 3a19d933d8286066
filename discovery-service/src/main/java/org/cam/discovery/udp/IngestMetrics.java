package org.cam.discovery.udp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import org.cam.protocol.discovery.DiscoveryReasons;

/** Datagram counters. Reject reasons come from a closed set, so the label cannot explode. */
@Startup // eager: its meters must exist before the first datagram
@ApplicationScoped
public class IngestMetrics {

    public static final String RATE_LIMITED = "rate limited";
    public static final String REGISTRY_FULL = "registry full";
    /** An ANNOUNCE/REPLY sent from another address than the one it advertises: a spoof, or a device behind NAT. */
    public static final String SOURCE_MISMATCH = "source mismatch";

    private final ConcurrentHashMap<String, Counter> rejected = new ConcurrentHashMap<>();
    private MeterRegistry registry;
    private Counter received;
    private Counter accepted;
    private Counter ignored;

    @Inject
    void init(MeterRegistry registry) {
        this.registry = registry;
        received = Counter.builder("cam.discovery.datagrams.received")
                .description("Datagrams read from the UDP socket").register(registry);
        accepted = Counter.builder("cam.discovery.datagrams.accepted")
                .description("ANNOUNCE and REPLY datagrams that updated the registry").register(registry);
        ignored = Counter.builder("cam.discovery.datagrams.ignored")
                .description("Valid DISCOVERs heard on our port (our own broadcasts, other managers)")
                .register(registry);
    }

    public void received() {
        received.increment();
    }

    public void accepted() {
        accepted.increment();
    }

    public void ignored() {
        ignored.increment();
    }

    public void rejected(String reason) {
        rejected.computeIfAbsent(label(reason), l -> Counter.builder("cam.discovery.datagrams.rejected")
                .description("Datagrams dropped, by reason").tag("reason", l).register(registry)).increment();
    }

    public double receivedCount() {
        return received.count();
    }

    public double acceptedCount() {
        return accepted.count();
    }

    public double rejectedCount() {
        return rejected.values().stream().mapToDouble(Counter::count).sum();
    }

    public double rejectedCount(String reason) {
        Counter c = rejected.get(label(reason));
        return c == null ? 0 : c.count();
    }

    /** "bad field: serial" -> "bad_field_serial"; anything outside the known set becomes "other". */
    static String label(String reason) {
        boolean known = reason != null && (DiscoveryReasons.ALL.contains(reason) || RATE_LIMITED.equals(reason)
                || REGISTRY_FULL.equals(reason) || SOURCE_MISMATCH.equals(reason));
        String r = known ? reason : "other";
        return r.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }
}
