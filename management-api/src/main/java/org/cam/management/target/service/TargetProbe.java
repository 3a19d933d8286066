package org.cam.management.target.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.cam.management.target.TargetKind;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Probes RFB-endpoint targets (device channels have their device's polling): connect, read the 12-byte RFB
 * ProtocolVersion banner the server sends first ("RFB 003.008\n"), close, without authenticating. A target that
 * refuses, times out or answers something else reads UNAVAILABLE until a later probe succeeds. Non-blocking (Vert.x),
 * with a bound on the probes in flight, so 10,000 endpoints cost a few seconds of one event loop per round.
 * Each replica probes on its own; results are kept in memory (a status, not a record).
 */
@ApplicationScoped
public class TargetProbe {
    private static final Logger LOG = Logger.getLogger(TargetProbe.class);
    private static final int BANNER = 12;

    @ConfigMapping(prefix = "cam.management.target-probe")
    public interface Config {
        /** Interval between rounds, e.g. 30s; "off" turns probing off (every endpoint then reads as reachable). */
        @WithDefault("30s")
        String every();

        /** Connect and banner timeout of one probe. */
        @WithDefault("PT3S")
        Duration timeout();

        /** Probes in flight at once. */
        @WithDefault("128")
        int concurrency();
    }

    private record Endpoint(long id, String host, int port) {
    }

    @Inject
    Config config;

    @Inject
    Vertx vertx;

    @Inject
    EntityManager em;

    @Inject
    org.cam.management.access.service.AccessCache cache;

    private final Set<Long> unreachable = ConcurrentHashMap.newKeySet();
    private final Map<Long, String> reasons = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile boolean closed;
    private volatile NetClient client;

    /** True when the last probe of this target failed. */
    public boolean unreachable(long targetId) {
        return unreachable.contains(targetId);
    }

    public String reason(long targetId) {
        return reasons.get(targetId);
    }

    @Scheduled(identity = "target-probe", every = "${cam.management.target-probe.every}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        probeAll();
    }

    /** Starts a round over every RFB-endpoint target unless one runs; results arrive as the probes finish. */
    public void probeAll() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        List<Endpoint> endpoints;
        try {
            endpoints = QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                            "select t.id, t.host, t.port from Target t where t.kind = :kind"
                            + " and t.host is not null and t.port is not null", Object[].class)
                    .setParameter("kind", TargetKind.RFB_ENDPOINT).getResultList().stream()
                    .map(r -> new Endpoint((Long) r[0], (String) r[1], (Integer) r[2])).toList());
        } catch (RuntimeException e) {
            running.set(false);
            throw e;
        }
        // Forget targets that are gone.
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        endpoints.forEach(e -> ids.add(e.id()));
        unreachable.retainAll(ids);
        reasons.keySet().retainAll(ids);
        if (endpoints.isEmpty()) {
            running.set(false);
            return;
        }
        Deque<Endpoint> todo = new ArrayDeque<>(endpoints);
        AtomicInteger left = new AtomicInteger(endpoints.size());
        vertx.runOnContext(v -> {
            for (int i = 0; i < Math.max(1, config.concurrency()) && !todo.isEmpty(); i++) {
                next(todo, left);
            }
        });
    }

    /** Probes the next endpoint; each finished probe starts the next one (on the same context, no locking). */
    private void next(Deque<Endpoint> todo, AtomicInteger left) {
        Endpoint e = todo.pollFirst();
        if (e == null || closed) {
            // shutting down: the round ends here, nothing is started on a closed client
            todo.clear();
            running.set(false);
            return;
        }
        probe(e, () -> {
            if (left.decrementAndGet() == 0) {
                running.set(false);
            }
            next(todo, left);
        });
    }

    private void probe(Endpoint e, Runnable done) {
        long timeoutMs = Math.max(1, config.timeout().toMillis());
        AtomicBoolean finished = new AtomicBoolean();
        NetSocket[] socket = new NetSocket[1];
        long timer = vertx.setTimer(timeoutMs, t -> finish(e, finished, socket[0], "no RFB banner within "
                + timeoutMs + " ms", done, -1));
        client().connect(e.port(), e.host()).onComplete(ar -> {
            if (ar.failed()) {
                finish(e, finished, null, "connect failed: " + ar.cause().getMessage(), done, timer);
                return;
            }
            NetSocket s = ar.result();
            socket[0] = s;
            if (finished.get()) {
                s.close();
                return;
            }
            Buffer got = Buffer.buffer();
            s.handler(b -> {
                got.appendBuffer(b);
                if (got.length() >= BANNER) {
                    String banner = got.getString(0, BANNER, StandardCharsets.US_ASCII.name());
                    finish(e, finished, s, banner.startsWith("RFB ") && banner.endsWith("\n") ? null
                            : "not an RFB server", done, timer);
                }
            });
            s.closeHandler(v -> finish(e, finished, null, "closed before the RFB banner", done, timer));
            s.exceptionHandler(x -> finish(e, finished, s, String.valueOf(x.getMessage()), done, timer));
        });
    }

    private void finish(Endpoint e, AtomicBoolean finished, NetSocket s, String failure, Runnable done, long timer) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
        if (s != null) {
            s.close();
        }
        if (failure == null) {
            if (unreachable.remove(e.id())) {
                LOG.infof("target %d (%s:%d) answers again", e.id(), e.host(), e.port());
                cache.changed();   // cached list pages carry the old status
            }
            reasons.remove(e.id());
        } else {
            if (unreachable.add(e.id())) {
                LOG.debugf("target %d (%s:%d) unavailable: %s", e.id(), e.host(), e.port(), failure);
                cache.changed();
            }
            reasons.put(e.id(), failure);
        }
        done.run();
    }

    private NetClient client() {
        if (client == null) {
            client = vertx.createNetClient(new NetClientOptions()
                    .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis())));
        }
        return client;
    }

    @PreDestroy
    void close() {
        closed = true;
        if (client != null) {
            client.close();
        }
    }
}
