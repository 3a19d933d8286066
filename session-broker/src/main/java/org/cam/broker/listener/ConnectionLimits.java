package org.cam.broker.listener;

import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.cam.broker.BrokerConfig;
import org.cam.broker.metrics.BrokerMetrics;

/**
 * Admission of client connections on all three listeners together: a total and a per-address cap on open connections,
 * a cap on handshakes under way, and a token bucket per address for one-time password guesses. Every accepted
 * connection holds a {@link Permit} until its channel closes. The counters are shared by the event loops, hence
 * synchronized; each critical section is a few map operations.
 */
@ApplicationScoped
public class ConnectionLimits {

    /** Why a connection was not admitted: the metric label and what the client is told. */
    public record Refusal(String reason, String message) {
    }

    private final BrokerConfig.Limits config;
    private final Vertx vertx;
    private final double tokensPerNano;
    private final Map<String, Integer> perAddress = new HashMap<>();
    private final Map<String, Bucket> buckets = new HashMap<>();
    private int connections;
    private int handshakes;

    public ConnectionLimits(BrokerConfig config, Vertx vertx, BrokerMetrics metrics) {
        this.config = config.limits();
        this.vertx = vertx;
        this.tokensPerNano = this.config.vncGuessesPerMinute() / 60e9;
        metrics.connectionGauges(this::connections, this::handshakes);
    }

    void onStart(@Observes StartupEvent e) {
        // A bucket that has filled up again says nothing a new one would not: forget it, so addresses that come and
        // go cost no memory.
        vertx.setPeriodic(60_000, id -> forgetFullBuckets());
    }

    /**
     * Admits a connection from {@code address}, or says why not. {@code guesses}: the listener asks for one-time
     * passwords (9900, 9901), so an address that has used up its guesses is refused before it costs anything.
     */
    public synchronized Permit admit(String address, boolean guesses) {
        Refusal r = null;
        int fromAddress = perAddress.getOrDefault(address, 0);
        if (connections >= config.maxConnections()) {
            r = new Refusal("too_many_connections", "broker busy: too many connections, try again later");
        } else if (fromAddress >= config.maxConnectionsPerAddress()) {
            r = new Refusal("too_many_connections_from_address", "too many connections from " + address);
        } else if (handshakes >= config.maxHandshakes()) {
            r = new Refusal("too_many_handshakes", "broker busy: too many connections starting, try again later");
        } else if (guesses && buckets.containsKey(address) && bucket(address).available(System.nanoTime()) < 1) {
            // Only addresses that have guessed have a bucket: a connection alone costs no memory here.
            r = new Refusal("throttled", "too many password attempts from " + address + ", try again in "
                    + bucket(address).secondsToNext() + " s");
        }
        if (r != null) {
            return new Permit(this, address, r);
        }
        connections++;
        handshakes++;
        perAddress.put(address, fromAddress + 1);
        return new Permit(this, address, null);
    }

    /** Takes one guess from the address's bucket; false when it has none left. */
    synchronized boolean takeGuess(String address) {
        Bucket b = bucket(address);
        if (b.available(System.nanoTime()) < 1) {
            return false;
        }
        b.tokens -= 1;
        return true;
    }

    /** A right guess does not count against the address. */
    synchronized void returnGuess(String address) {
        Bucket b = bucket(address);
        b.available(System.nanoTime());
        b.tokens = Math.min(config.vncGuessBurst(), b.tokens + 1);
    }

    synchronized void handshakeDone() {
        handshakes--;
    }

    synchronized void released(String address, boolean inHandshake) {
        connections--;
        if (inHandshake) {
            handshakes--;
        }
        perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    public synchronized int connections() {
        return connections;
    }

    public synchronized int handshakes() {
        return handshakes;
    }

    public synchronized int connectionsFrom(String address) {
        return perAddress.getOrDefault(address, 0);
    }

    long helloTimeoutMillis() {
        return config.helloTimeout().toMillis();
    }

    private Bucket bucket(String address) {
        return buckets.computeIfAbsent(address, a -> new Bucket(config.vncGuessBurst(), System.nanoTime()));
    }

    private synchronized void forgetFullBuckets() {
        long now = System.nanoTime();
        for (Iterator<Bucket> it = buckets.values().iterator(); it.hasNext(); ) {
            if (it.next().available(now) >= config.vncGuessBurst()) {
                it.remove();
            }
        }
    }

    /** Tokens refill continuously up to the burst. */
    private final class Bucket {
        double tokens;
        long updatedNanos;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.updatedNanos = now;
        }

        double available(long now) {
            tokens = Math.min(config.vncGuessBurst(), tokens + (now - updatedNanos) * tokensPerNano);
            updatedNanos = now;
            return tokens;
        }

        long secondsToNext() {
            return tokensPerNano <= 0 ? 60 : Math.max(1, (long) Math.ceil((1 - tokens) / tokensPerNano / 1e9));
        }
    }
}
