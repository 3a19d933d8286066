package org.cam.discovery.forward;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.cam.discovery.config.DiscoveryConfig;
import org.cam.discovery.device.DiscoveredDevice;
import org.jboss.logging.Logger;

/**
 * Bounded, coalescing queue of device states waiting for management-api. One entry per device: a newer state
 * replaces the waiting one in place (its position is kept), so a flapping device costs one slot and one request.
 * The head stays in the queue while it is being sent, so a change arriving meanwhile replaces it and is sent next.
 */
@Startup // eager: its meters must exist before the first datagram
@ApplicationScoped
public class ForwardQueue {

    private static final Logger LOG = Logger.getLogger(ForwardQueue.class);

    private final LinkedHashMap<String, DiscoveredDevice> pending = new LinkedHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();

    @Inject
    DiscoveryConfig config;

    private Counter dropped;
    private Counter coalesced;

    @Inject
    void registerMetrics(MeterRegistry registry) {
        Gauge.builder("cam.discovery.forward.queue.depth", this, ForwardQueue::depth)
                .description("Device states waiting for management-api (the one in flight included)")
                .register(registry);
        dropped = Counter.builder("cam.discovery.forward.dropped")
                .description("Device states lost because the forward queue was full").register(registry);
        coalesced = Counter.builder("cam.discovery.forward.coalesced")
                .description("Device states that replaced a waiting state of the same device").register(registry);
    }

    /** Queues a device state; false when the queue is full and it was dropped (counted and logged). */
    public boolean offer(DiscoveredDevice device) {
        if (!config.forward().enabled()) {
            return true;
        }
        lock.lock();
        try {
            DiscoveredDevice waiting = pending.get(device.deviceId());
            if (waiting != null) {
                // Two datagrams of one device may race through the registry: never replace a newer state.
                if (device.version() > waiting.version()) {
                    pending.put(device.deviceId(), device);
                }
                coalesced.increment();
                return true;
            }
            if (pending.size() >= config.forward().queueCapacity()) {
                dropped.increment();
                double total = dropped.count();
                // Log the first loss and then every 1000th: a long outage must not flood the log.
                if (total == 1 || total % 1000 == 0) {
                    LOG.warnf("forward queue full (%d devices): dropped device %s, %.0f states lost so far",
                            config.forward().queueCapacity(), device.deviceId(), total);
                }
                return false;
            }
            pending.put(device.deviceId(), device);
            notEmpty.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The oldest waiting state, without removing it; null after the timeout. */
    DiscoveredDevice peek(long timeout, TimeUnit unit) throws InterruptedException {
        long nanos = unit.toNanos(timeout);
        lock.lock();
        try {
            while (pending.isEmpty()) {
                if (nanos <= 0) {
                    return null;
                }
                nanos = notEmpty.awaitNanos(nanos);
            }
            Iterator<DiscoveredDevice> it = pending.values().iterator();
            return it.next();
        } finally {
            lock.unlock();
        }
    }

    /** Removes the state once delivered, unless a newer one replaced it meanwhile (that one goes next). */
    void delivered(DiscoveredDevice device) {
        lock.lock();
        try {
            pending.remove(device.deviceId(), device);
        } finally {
            lock.unlock();
        }
    }

    /** The current waiting state of a device (the newest one), for a retry. */
    DiscoveredDevice current(String deviceId) {
        lock.lock();
        try {
            return pending.get(deviceId);
        } finally {
            lock.unlock();
        }
    }

    public int depth() {
        lock.lock();
        try {
            return pending.size();
        } finally {
            lock.unlock();
        }
    }

    public double droppedCount() {
        return dropped.count();
    }

    /** For tests. */
    public Map<String, DiscoveredDevice> snapshot() {
        lock.lock();
        try {
            return new LinkedHashMap<>(pending);
        } finally {
            lock.unlock();
        }
    }

    /** For tests. */
    public void clear() {
        lock.lock();
        try {
            pending.clear();
        } finally {
            lock.unlock();
        }
    }
}
