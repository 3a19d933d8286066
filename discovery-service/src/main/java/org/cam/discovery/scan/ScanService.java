package org.cam.discovery.scan;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.cam.discovery.config.DiscoveryConfig;
import org.cam.rest.problem.ProblemException;
import org.cam.discovery.udp.UdpEndpoint;
import org.cam.discovery.udp.WireCodec;
import org.cam.protocol.discovery.DiscoveryMessage;
import org.cam.protocol.discovery.ManagerAddress;
import org.jboss.logging.Logger;

/**
 * Sends DISCOVER: to broadcast addresses and/or a unicast sweep of a CIDR, on the device port, the fallback port,
 * or both ("auto": the fallback phase asks only the unicast addresses that did not answer, and repeats the
 * broadcasts because a broadcast cannot tell who was missed). Sends are paced on the event loop and REPLYs are
 * matched to the scan by the DISCOVER's transaction id.
 */
@ApplicationScoped
public class ScanService {

    private static final Logger LOG = Logger.getLogger(ScanService.class);
    private static final int MAX_RUNNING = 4;

    @Inject
    DiscoveryConfig config;

    @Inject
    UdpEndpoint endpoint;

    @Inject
    WireCodec codec;

    @Inject
    MeterRegistry meters;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Scan> scans = new LinkedHashMap<>();
    /** Transaction id of a running phase -> its scan and probed port. */
    private final Map<Integer, Phase> phases = new ConcurrentHashMap<>();

    private record Phase(Scan scan, int port) {
    }

    void onBound(@Observes UdpEndpoint.Bound bound) {
        if (!config.scan().onStart()) {
            return;
        }
        List<String> broadcast = config.scan().startBroadcast()
                .map(l -> l.stream().map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(config.scan().startCidr().isPresent() ? List.of() : List.of("255.255.255.255"));
        try {
            Scan s = start(new ScanRequest(broadcast, config.scan().startCidr().orElse(null),
                    config.scan().startPort(), null));
            LOG.infof("start-up scan %s: broadcast %s, cidr %s, port %s", s.id, broadcast,
                    config.scan().startCidr().orElse("-"), config.scan().startPort());
        } catch (ProblemException e) {
            LOG.errorf("start-up scan not started: %s: %s", e.field(), e.getMessage());
        }
    }

    /** Validates and starts a scan; ProblemException (400 naming the field, or 429) when it cannot. */
    public Scan start(ScanRequest req) {
        if (req == null) {
            throw ProblemException.badRequest("body", "a JSON body is required");
        }
        List<String> broadcast = req.broadcast() == null ? List.of() : req.broadcast();
        for (int i = 0; i < broadcast.size(); i++) {
            try {
                Ipv4.parse(broadcast.get(i));
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("broadcast[" + i + "]", e.getMessage());
            }
        }
        Ipv4.Cidr cidr = null;
        if (req.cidr() != null) {
            try {
                cidr = Ipv4.Cidr.parse(req.cidr());
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("cidr", e.getMessage());
            }
            if (cidr.prefix() < config.scan().maxCidrPrefix()) {
                throw ProblemException.badRequest("cidr", "block /" + cidr.prefix() + " is too large: at most /"
                        + config.scan().maxCidrPrefix() + " (cam.discovery.scan.max-cidr-prefix)");
            }
        }
        if (broadcast.isEmpty() && cidr == null) {
            throw ProblemException.badRequest("broadcast", "name broadcast addresses, a cidr, or both");
        }
        String portMode = req.port() == null ? "auto" : req.port().trim().toLowerCase(java.util.Locale.ROOT);
        if (!portMode.equals("auto")) {
            int p;
            try {
                p = Integer.parseInt(portMode);
            } catch (NumberFormatException e) {
                p = -1;
            }
            if (p < 1 || p > 65535) {
                throw ProblemException.badRequest("port", "port must be \"auto\" or a port number 1..65535");
            }
            portMode = Integer.toString(p);
        }
        long timeoutMs = req.timeoutMs() == null ? config.scan().defaultTimeout().toMillis() : req.timeoutMs();
        if (timeoutMs < 1 || timeoutMs > config.scan().maxTimeout().toMillis()) {
            throw ProblemException.badRequest("timeoutMs",
                    "timeoutMs must be 1.." + config.scan().maxTimeout().toMillis());
        }
        if (!endpoint.isBound()) {
            throw new ProblemException(503, "Service Unavailable", "the discovery UDP socket is not bound yet",
                    null);
        }
        Scan scan = new Scan(UUID.randomUUID().toString(), broadcast, cidr, portMode, timeoutMs);
        synchronized (scans) {
            long running = scans.values().stream().filter(s -> s.status == Scan.Status.RUNNING).count();
            if (running >= MAX_RUNNING) {
                throw new ProblemException(429, "Too Many Requests",
                        running + " scans are running; wait for one to finish", null);
            }
            scans.put(scan.id, scan);
            evictOld();
        }
        int first = portMode.equals("auto") ? config.udp().devicePort() : Integer.parseInt(portMode);
        // Phases run on the socket's Vert.x context so sends and timers never race each other.
        endpoint.vertx().runOnContext(v -> runPhase(scan, first, allUnicast(scan)));
        return scan;
    }

    private void evictOld() {
        var it = scans.entrySet().iterator();
        int excess = scans.size() - config.scan().retained();
        while (excess > 0 && it.hasNext()) {
            if (it.next().getValue().status == Scan.Status.COMPLETED) {
                it.remove();
                excess--;
            }
        }
    }

    private static int[] allUnicast(Scan scan) {
        if (scan.cidr == null) {
            return new int[0];
        }
        int n = (int) scan.cidr.hostCount();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = scan.cidr.firstHost() + i;
        }
        return out;
    }

    private void runPhase(Scan scan, int port, int[] unicast) {
        int tx;
        do {
            tx = random.nextInt();
        } while (phases.putIfAbsent(tx, new Phase(scan, port)) != null);
        int txId = tx;
        scan.currentPort = port;
        List<String> targets = new ArrayList<>(scan.broadcast.size() + unicast.length);
        targets.addAll(scan.broadcast);
        for (int a : unicast) {
            targets.add(Ipv4.format(a));
        }
        scan.planned.addAndGet(targets.size());
        Map<String, byte[]> encoded = new HashMap<>();
        Map<Integer, String> answerBySlash24 = new HashMap<>();
        int rate = Math.max(1, config.scan().sendRate());
        // Vert.x timers have 1 ms resolution: send a batch per tick so high rates stay accurate.
        int batch = Math.max(1, rate / 100);
        long interval = Math.max(1, Math.round(1000.0 * batch / rate));
        int[] next = {0};
        Runnable tick = () -> {
            int end = Math.min(targets.size(), next[0] + batch);
            for (; next[0] < end; next[0]++) {
                String target = targets.get(next[0]);
                // One route lookup per /24, not per address: a /16 sweep must not open 65,536 probe sockets.
                String answer = answerBySlash24.computeIfAbsent(Ipv4.parse(target) >>> 8, k -> answerAddress(target));
                byte[] data = answer == null ? null : encoded.computeIfAbsent(answer, a -> encodeDiscover(txId, a));
                if (data == null) {
                    scan.sendErrors.incrementAndGet();
                    continue;
                }
                endpoint.send(data, target, port).onComplete(r -> {
                    if (r.succeeded()) {
                        scan.sent.incrementAndGet();
                    } else {
                        scan.sendErrors.incrementAndGet();
                        LOG.debugf("DISCOVER to %s:%d failed: %s", target, port, r.cause().getMessage());
                    }
                });
            }
        };
        tick.run();
        if (next[0] >= targets.size()) {
            endpoint.vertx().setTimer(scan.timeoutMs, id -> endPhase(scan, port, txId, unicast));
            return;
        }
        endpoint.vertx().setPeriodic(interval, timerId -> {
            tick.run();
            if (next[0] >= targets.size()) {
                endpoint.vertx().cancelTimer(timerId);
                endpoint.vertx().setTimer(scan.timeoutMs, id -> endPhase(scan, port, txId, unicast));
            }
        });
    }

    private void endPhase(Scan scan, int port, int txId, int[] unicast) {
        phases.remove(txId);
        if (scan.portMode.equals("auto") && port == config.udp().devicePort()) {
            int[] silent = java.util.Arrays.stream(unicast)
                    .filter(a -> !scan.answeredAddresses.contains(Ipv4.format(a))).toArray();
            if (silent.length > 0 || !scan.broadcast.isEmpty()) {
                runPhase(scan, config.udp().fallbackPort(), silent);
                return;
            }
        }
        scan.currentPort = 0;
        scan.finishedAt = Instant.now();
        scan.status = Scan.Status.COMPLETED;
        Timer.builder("cam.discovery.scan.duration").description("Scan duration, all phases and waits included")
                .tag("port", scan.portMode).register(meters)
                .record(Duration.ofNanos(System.nanoTime() - scan.startedNanos));
        LOG.debugf("scan %s finished: %d responders", scan.id, scan.responders.size());
    }

    private byte[] encodeDiscover(int txId, String answerAddress) {
        if (answerAddress == null) {
            return null;
        }
        try {
            Inet4Address a = (Inet4Address) InetAddress.getByName(answerAddress);
            return codec.codec().encode(DiscoveryMessage.discover(txId, config.managerId(),
                    new ManagerAddress(a, endpoint.localPort())));
        } catch (UnknownHostException | ClassCastException e) {
            return null;
        }
    }

    /** Where devices should answer: configured, the bind address, or the local address routed to the target. */
    private String answerAddress(String target) {
        Optional<String> advertised = config.udp().advertisedAddress();
        if (advertised.isPresent()) {
            return advertised.get();
        }
        String bind = config.udp().bindAddress();
        if (!bind.equals("0.0.0.0")) {
            return bind;
        }
        // connect() on a UDP socket sends nothing: it only asks the kernel for the route's source address.
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket()) {
            probe.setBroadcast(true);
            probe.connect(new InetSocketAddress(InetAddress.getByName(target), 9));
            InetAddress local = probe.getLocalAddress();
            return local == null || local.isAnyLocalAddress() ? null : local.getHostAddress();
        } catch (SocketException | UnknownHostException e) {
            return null;
        }
    }

    /** A REPLY arrived: credit it to the scan whose DISCOVER it echoes. */
    public void onReply(DiscoveryMessage reply, Inet4Address source) {
        Phase phase = phases.get(reply.transactionId());
        if (phase == null) {
            return; // late, or an answer to another manager's DISCOVER
        }
        String id = reply.device().deviceId().toString();
        String from = source.getHostAddress();
        phase.scan.answeredAddresses.add(from);
        phase.scan.answeredAddresses.add(reply.device().address().getHostAddress());
        phase.scan.responders.putIfAbsent(id, new Scan.Responder(id, from, phase.port, Instant.now()));
    }

    public Optional<ScanView> view(String id) {
        synchronized (scans) {
            return Optional.ofNullable(scans.get(id)).map(ScanView::of);
        }
    }

    public Optional<Scan> find(String id) {
        synchronized (scans) {
            return Optional.ofNullable(scans.get(id));
        }
    }

    public List<ScanView> list() {
        synchronized (scans) {
            Collection<Scan> all = scans.values();
            return all.stream().map(ScanView::of).toList();
        }
    }
}
