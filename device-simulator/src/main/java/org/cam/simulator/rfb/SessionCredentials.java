package org.cam.simulator.rfb;

import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.cam.protocol.rfb.VncAuth;

/**
 * A channel's session credentials: passwords the manager sets for one session each (over the authenticated HTTPS
 * API), valid for a short time and for one RFB authentication. A captured VNC Authentication exchange then reveals,
 * after cracking, a password that has already been used; the channel's own password never has to cross the network.
 */
public final class SessionCredentials {

    private record Entry(String password, long expiresNanos) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** Adds (or replaces) the credential {@code id}; it works once, until {@code ttl} has passed. */
    public void add(String id, String password, Duration ttl) {
        prune();
        entries.put(id, new Entry(password, System.nanoTime() + ttl.toNanos()));
    }

    /** Removes the credential {@code id}; false when there was none. */
    public boolean revoke(String id) {
        return entries.remove(id) != null;
    }

    /** Whether any credential is live (the channel then asks for VNC Authentication). */
    public boolean any() {
        prune();
        return !entries.isEmpty();
    }

    public int size() {
        prune();
        return entries.size();
    }

    /**
     * Whether {@code response} answers {@code challenge} with a live credential; that credential is used up. Every
     * live one is tried (no early exit), so the time does not tell which failed.
     */
    public boolean consume(byte[] challenge, byte[] response) {
        prune();
        String match = null;
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (VncAuth.verify(challenge, response, e.getValue().password()) && match == null) {
                match = e.getKey();
            }
        }
        return match != null && entries.remove(match) != null;
    }

    private void prune() {
        long now = System.nanoTime();
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            if (now - it.next().expiresNanos() >= 0) {
                it.remove();
            }
        }
    }
}
