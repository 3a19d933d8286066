package org.cam.management.access.service;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * A short-lived cache of what is costly to recompute on every list request but changes rarely: a user's effective
 * group set, the total of a visible-target list (counting 10,000 visible targets costs more than the page itself), a
 * page of the target list as answered, and the user row a bearer token is checked against.
 * Every change made through this instance (any successful write request, an LDAP sync) starts a new generation, so
 * this instance never answers from before its own changes; other replicas' changes show within the time to live.
 */
@ApplicationScoped
public class AccessCache {

    @ConfigMapping(prefix = "cam.management.access-cache")
    public interface Config {
        /** How long an entry may answer; bounds how late another replica's change shows here. 0 turns it off. */
        @WithDefault("PT5S")
        Duration ttl();

        /** Entries kept at most; past that the cache starts over (a bound, not an eviction policy). */
        @WithDefault("20000")
        int maxEntries();

        /** Pages of the target list kept at most (each up to a page of targets: tens of KiB), as for entries. */
        @WithDefault("2000")
        int maxPages();
    }

    private record Entry(Object value, long generation, long expiresAtNanos) {
    }

    /** A load under way: of one key, in one region, for one generation. */
    private record Flight(String region, Object key, long generation) {
    }

    /** How long a request waits for another's load of the same key before it loads on its own. */
    private static final long JOIN_TIMEOUT_SECONDS = 10;

    @Inject
    Config config;

    private final AtomicLong generation = new AtomicLong();
    private final Map<Object, Entry> entries = new ConcurrentHashMap<>();
    private final Map<Object, Entry> pages = new ConcurrentHashMap<>();
    private final Map<Flight, CompletableFuture<Object>> loading = new ConcurrentHashMap<>();

    /** Something that decides visibility may have changed: later reads recompute. */
    public void changed() {
        generation.incrementAndGet();
        entries.clear();
        pages.clear();
    }

    /** The entry if one may still answer, else null; never loads (for callers that must not block). */
    @SuppressWarnings("unchecked")
    public <T> T peek(Object key) {
        if (config.ttl().toNanos() <= 0) {
            return null;
        }
        Entry e = entries.get(key);
        return e != null && e.generation == generation.get() && System.nanoTime() - e.expiresAtNanos < 0
                ? (T) e.value : null;
    }

    public <T> T get(Object key, Supplier<T> load) {
        return get("entries", entries, config.maxEntries(), key, load);
    }

    /** A page of a list as answered, in a region of its own with its own bound (pages are big next to entries). */
    public <T> T page(Object key, Supplier<T> load) {
        return get("pages", pages, config.maxPages(), key, load);
    }

    @SuppressWarnings("unchecked")
    private <T> T get(String region, Map<Object, Entry> entries, int maxEntries, Object key, Supplier<T> load) {
        long ttl = config.ttl().toNanos();
        if (ttl <= 0) {
            return load.get();
        }
        long now = System.nanoTime();
        long gen = generation.get();
        Entry e = entries.get(key);
        if (e != null && e.generation == gen && now - e.expiresAtNanos < 0) {
            return (T) e.value;
        }
        // One load per key at a time: when an entry expires under load, a hundred concurrent requests would each
        // compute it (and queue for database connections); they wait for the first one instead. Only requests of the
        // same generation share a load, so none gets an answer from before a change it came after.
        Flight flight = new Flight(region, key, gen);
        CompletableFuture<Object> mine = new CompletableFuture<>();
        CompletableFuture<Object> other = loading.putIfAbsent(flight, mine);
        if (other != null) {
            try {
                return (T) other.get(JOIN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return load.get();
            } catch (ExecutionException | TimeoutException failedOrSlow) {
                return load.get();   // that load failed or hangs: this request tries on its own
            }
        }
        try {
            T value = load.get();
            if (entries.size() >= maxEntries) {
                entries.clear();
            }
            // Stored only if no change happened while it was computed.
            if (generation.get() == gen) {
                entries.put(key, new Entry(value, gen, now + ttl));
            }
            mine.complete(value);
            return value;
        } catch (RuntimeException | Error failed) {
            mine.completeExceptionally(failed);
            throw failed;
        } finally {
            loading.remove(flight, mine);
        }
    }
}
