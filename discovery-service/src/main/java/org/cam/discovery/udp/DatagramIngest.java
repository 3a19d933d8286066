package org.cam.discovery.udp;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.cam.discovery.config.DiscoveryConfig;
import org.cam.discovery.device.DeviceRegistry;
import org.cam.discovery.device.HeardVia;
import org.cam.discovery.scan.ScanService;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.discovery.DiscoveryMessage;
import org.cam.protocol.discovery.MessageType;
import org.jboss.logging.Logger;

/**
 * Everything between "a datagram arrived" and "the registry knows": rate limit, decode (HMAC included), dispatch.
 * Runs on the socket's event loop; every step is cheap and non-blocking.
 */
@ApplicationScoped
public class DatagramIngest {

    private static final Logger LOG = Logger.getLogger(DatagramIngest.class);

    @Inject
    DiscoveryConfig config;

    @Inject
    WireCodec codec;

    @Inject
    IngestMetrics metrics;

    @Inject
    DeviceRegistry registry;

    @Inject
    ScanService scans;

    private volatile RateLimiter limiter;

    private RateLimiter limiter() {
        RateLimiter l = limiter;
        if (l == null) {
            synchronized (this) {
                if (limiter == null) {
                    limiter = new RateLimiter(config.rateLimit().perSecond(), config.rateLimit().burst(),
                            config.rateLimit().maxSources());
                }
                l = limiter;
            }
        }
        return l;
    }

    /** Handles one datagram from {@code sourceHost:sourcePort} (an IPv4 literal, as the socket reports it). */
    public void handle(byte[] data, String sourceHost, int sourcePort) {
        metrics.received();
        try {
            process(data, sourceHost, sourcePort);
        } catch (RuntimeException e) {
            // Whatever a datagram triggers, it must never stop the socket: count it and carry on.
            metrics.rejected("other");
            LOG.warnf(e, "unexpected failure on a datagram from %s", sourceHost);
        }
    }

    private void process(byte[] data, String sourceHost, int sourcePort) {
        if (!limiter().tryAcquire(sourceHost, System.nanoTime())) {
            metrics.rejected(IngestMetrics.RATE_LIMITED);
            return;
        }
        DiscoveryMessage msg;
        try {
            msg = codec.codec().decode(data);
        } catch (ProtocolException e) {
            metrics.rejected(e.reason());
            LOG.tracef("rejected datagram from %s: %s", sourceHost, e.getMessage());
            return;
        }
        Inet4Address source;
        try {
            // A literal: no name lookup happens here.
            InetAddress a = InetAddress.getByName(sourceHost);
            if (!(a instanceof Inet4Address v4)) {
                metrics.rejected("other");
                return;
            }
            source = v4;
        } catch (UnknownHostException e) {
            metrics.rejected("other");
            return;
        }
        if (msg.type() == MessageType.DISCOVER) {
            // Our own broadcast DISCOVER loops back to us, and other managers may share the segment.
            metrics.ignored();
            return;
        }
        if (!msg.device().address().equals(source)) {
            // Only the sender is known, not the payload's author: a device may only speak for its own address, so a
            // peer on the segment cannot point a device's MAC at itself (management-api checks this again).
            metrics.rejected(IngestMetrics.SOURCE_MISMATCH);
            LOG.debugf("dropped %s from %s advertising %s", msg.type(), sourceHost, msg.device().address());
            return;
        }
        HeardVia via = msg.type() == MessageType.REPLY ? HeardVia.SCAN_REPLY
                : msg.isManualMode() ? HeardVia.UNICAST_ANNOUNCE : HeardVia.BROADCAST_ANNOUNCE;
        if (registry.record(msg.device(), source, sourcePort, via).isEmpty()) {
            metrics.rejected(IngestMetrics.REGISTRY_FULL);
            return;
        }
        if (via == HeardVia.SCAN_REPLY) {
            scans.onReply(msg, source);
        }
        metrics.accepted();
    }
}
