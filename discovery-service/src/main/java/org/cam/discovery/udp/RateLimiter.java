package org.cam.discovery.udp;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Token bucket per source address. A device announces a handful of datagrams at boot; a source that sends far
 * more is either broken or hostile, and its excess is dropped before it costs a decode or an HMAC.
 */
public final class RateLimiter {

    private final double perNano;
    private final double burst;
    private final int maxSources;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private volatile long lastEviction = Long.MIN_VALUE;

    public RateLimiter(double perSecond, int burst, int maxSources) {
        if (perSecond <= 0 || burst < 1 || maxSources < 1) {
            throw new IllegalArgumentException("rate limit needs perSecond > 0, burst >= 1, maxSources >= 1");
        }
        this.perNano = perSecond / 1e9;
        this.burst = burst;
        this.maxSources = maxSources;
    }

    /** Takes one token for {@code source}; false when its bucket is empty. */
    public boolean tryAcquire(String source, long nowNanos) {
        Bucket b = buckets.get(source);
        if (b == null) {
            if (buckets.size() >= maxSources) {
                // A scan of the table at most once a second: a flood of spoofed sources must not turn every
                // datagram into an O(n) walk. While the table stays full, unknown sources are refused.
                if (lastEviction == Long.MIN_VALUE || nowNanos - lastEviction >= 1_000_000_000L) {
                    lastEviction = nowNanos;
                    evictIdle(nowNanos);
                }
                if (buckets.size() >= maxSources) {
                    return false;
                }
            }
            b = buckets.computeIfAbsent(source, k -> new Bucket(burst, nowNanos));
        }
        return b.take(nowNanos, perNano, burst);
    }

    /** Buckets that have refilled completely carry no information: forgetting them changes nothing. */
    private void evictIdle(long nowNanos) {
        buckets.entrySet().removeIf(e -> e.getValue().isFull(nowNanos, perNano, burst));
    }

    public int trackedSources() {
        return buckets.size();
    }

    private static final class Bucket {
        private double tokens;
        private long last;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.last = now;
        }

        synchronized boolean take(long now, double perNano, double burst) {
            refill(now, perNano, burst);
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        synchronized boolean isFull(long now, double perNano, double burst) {
            refill(now, perNano, burst);
            return tokens >= burst;
        }

        private void refill(long now, double perNano, double burst) {
            if (now > last) {
                tokens = Math.min(burst, tokens + (now - last) * perNano);
                last = now;
            }
        }
    }
}
