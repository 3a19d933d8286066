package org.cam.discovery.scan;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** State of one scan; mutated on the socket's event loop, read by REST threads. */
public final class Scan {

    public enum Status { RUNNING, COMPLETED }

    /** A device that answered, the address it answered from and the device port whose DISCOVER it answered. */
    public record Responder(String deviceId, String address, int probedPort, Instant at) {
    }

    final String id;
    final List<String> broadcast;
    final Ipv4.Cidr cidr;
    final String portMode;
    final long timeoutMs;
    final Instant startedAt;
    final long startedNanos;
    volatile Instant finishedAt;
    volatile Status status = Status.RUNNING;
    /** The device port being probed now; 0 when finished. */
    volatile int currentPort;
    final AtomicLong planned = new AtomicLong();
    final AtomicLong sent = new AtomicLong();
    final AtomicLong sendErrors = new AtomicLong();
    final Map<String, Responder> responders = new ConcurrentHashMap<>();
    /** Source and advertised addresses of responders: who need not be asked again on the fallback port. */
    final Set<String> answeredAddresses = ConcurrentHashMap.newKeySet();

    Scan(String id, List<String> broadcast, Ipv4.Cidr cidr, String portMode, long timeoutMs) {
        this.id = id;
        this.broadcast = List.copyOf(broadcast);
        this.cidr = cidr;
        this.portMode = portMode;
        this.timeoutMs = timeoutMs;
        this.startedAt = Instant.now();
        this.startedNanos = System.nanoTime();
    }

    public String id() {
        return id;
    }

    public Status status() {
        return status;
    }

    public Map<String, Responder> responders() {
        return Collections.unmodifiableMap(responders);
    }

    public long sent() {
        return sent.get();
    }
}
