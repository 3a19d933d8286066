package org.cam.broker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The broker's meters. Prometheus names: {@code cam_broker_active_sessions} (the autoscaling signal),
 * {@code cam_broker_sessions_started_total{listener}}, {@code cam_broker_sessions_ended_total{reason}},
 * {@code cam_broker_bytes_total{direction}}, {@code cam_broker_rejects_total{reason}},
 * {@code cam_broker_handshake_seconds}, {@code cam_broker_client_connections}, {@code cam_broker_handshakes}.
 */
@ApplicationScoped
public class BrokerMetrics {

    private final MeterRegistry registry;
    private final Counter bytesFromClient;
    private final Counter bytesFromDevice;
    private final Timer handshake;
    private final Map<String, Counter> rejects = new ConcurrentHashMap<>();
    private final Map<String, Counter> ended = new ConcurrentHashMap<>();
    private final Map<String, Counter> started = new ConcurrentHashMap<>();

    public BrokerMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.bytesFromClient = Counter.builder("cam.broker.bytes").tag("direction", "from_client")
                .description("Bytes relayed, by the side that sent them").baseUnit("bytes").register(registry);
        this.bytesFromDevice = Counter.builder("cam.broker.bytes").tag("direction", "from_device")
                .description("Bytes relayed, by the side that sent them").baseUnit("bytes").register(registry);
        this.handshake = Timer.builder("cam.broker.handshake")
                .description("From accepting a client to the first relayed byte: auth, claim, device handshake")
                .publishPercentileHistogram(false).register(registry);
    }

    public void activeSessions(Supplier<Number> count) {
        // Strong reference: Micrometer holds gauge state weakly, and a lambda nobody else holds would read NaN.
        Gauge.builder("cam.broker.active.sessions", count, s -> s.get().doubleValue())
                .description("Sessions relaying now (the autoscaling signal)").strongReference(true)
                .register(registry);
    }

    /** Open client connections (all listeners) and those of them still in their handshake. */
    public void connectionGauges(Supplier<Number> connections, Supplier<Number> handshakes) {
        Gauge.builder("cam.broker.client.connections", connections, s -> s.get().doubleValue())
                .description("Open client connections on 9900, 9901 and 9902").strongReference(true)
                .register(registry);
        Gauge.builder("cam.broker.handshakes", handshakes, s -> s.get().doubleValue())
                .description("Client connections accepted and not relaying yet").strongReference(true)
                .register(registry);
    }

    public void bytesFromClient(long n) {
        bytesFromClient.increment(n);
    }

    public void bytesFromDevice(long n) {
        bytesFromDevice.increment(n);
    }

    public void handshake(Duration d) {
        handshake.record(d);
    }

    public void started(String listener) {
        started.computeIfAbsent(listener, l -> Counter.builder("cam.broker.sessions.started").tag("listener", l)
                .description("Sessions past both handshakes").register(registry)).increment();
    }

    public void ended(String reason) {
        ended.computeIfAbsent(reason, r -> Counter.builder("cam.broker.sessions.ended").tag("reason", r)
                .description("Sessions ended, by reason").register(registry)).increment();
    }

    /** A connection refused before it became a session; reasons are normalised to snake case labels. */
    public void reject(String reason) {
        String r = reason.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
        rejects.computeIfAbsent(r, k -> Counter.builder("cam.broker.rejects").tag("reason", k)
                .description("Connections refused before a session started, by reason").register(registry))
                .increment();
    }

    public double rejects(String reason) {
        Counter c = rejects.get(reason);
        return c == null ? 0 : c.count();
    }
}
