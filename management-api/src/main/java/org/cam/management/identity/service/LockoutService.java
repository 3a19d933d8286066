package org.cam.management.identity.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.config.ManagementConfig;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sliding-window failure counters per username and per source address. In memory: each replica counts on its
 * own, which still bounds guessing to N x replicas per window.
 */
@ApplicationScoped
public class LockoutService {
    private final Map<String, Deque<Instant>> byUser = new ConcurrentHashMap<>();
    private final Map<String, Deque<Instant>> byAddress = new ConcurrentHashMap<>();
    private final int maxPerUser;
    private final int maxPerAddress;
    private final Duration window;
    private final Clock clock;

    @Inject
    public LockoutService(ManagementConfig config) {
        this(config.lockout().maxFailuresPerUser(), config.lockout().maxFailuresPerAddress(),
                config.lockout().window(), Clock.systemUTC());
    }

    public LockoutService(int maxPerUser, int maxPerAddress, Duration window, Clock clock) {
        this.maxPerUser = maxPerUser;
        this.maxPerAddress = maxPerAddress;
        this.window = window;
        this.clock = clock;
    }

    public boolean userLocked(String username) {
        return count(byUser, key(username)) >= maxPerUser;
    }

    public boolean addressLocked(String address) {
        return address != null && count(byAddress, address) >= maxPerAddress;
    }

    /** Counts a failure; returns what just became locked (USER, ADDRESS) or null. */
    public String recordFailure(String username, String address) {
        boolean userWas = userLocked(username);
        boolean addrWas = addressLocked(address);
        add(byUser, key(username));
        if (address != null) {
            add(byAddress, address);
        }
        if (!userWas && userLocked(username)) {
            return "USER";
        }
        if (!addrWas && addressLocked(address)) {
            return "ADDRESS";
        }
        return null;
    }

    /** A successful login clears the user's counter (not the address's: one good account must not unlock it). */
    public void recordSuccess(String username) {
        byUser.remove(key(username));
    }

    /** Administrative unlock. */
    public void unlockUser(String username) {
        byUser.remove(key(username));
    }

    private static String key(String username) {
        return username == null ? "" : username.toLowerCase();
    }

    private void add(Map<String, Deque<Instant>> map, String key) {
        Deque<Instant> d = map.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (d) {
            prune(d);
            d.addLast(clock.instant());
        }
    }

    private int count(Map<String, Deque<Instant>> map, String key) {
        Deque<Instant> d = map.get(key);
        if (d == null) {
            return 0;
        }
        synchronized (d) {
            prune(d);
            return d.size();
        }
    }

    private void prune(Deque<Instant> d) {
        Instant cutoff = clock.instant().minus(window);
        while (!d.isEmpty() && !d.peekFirst().isAfter(cutoff)) {
            d.removeFirst();
        }
    }
}
