package org.cam.discovery.support;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Reads counters straight from the registry the service writes to. */
public final class Metrics {

    private Metrics() {
    }

    public static double counter(MeterRegistry registry, String name, String... tags) {
        Counter c = registry.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    public static double rejected(MeterRegistry registry) {
        return registry.find("cam.discovery.datagrams.rejected").counters().stream()
                .mapToDouble(Counter::count).sum();
    }
}
