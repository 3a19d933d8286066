package org.cam.discovery.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** All discovery-service settings, prefix {@code cam.discovery}. */
@ConfigMapping(prefix = "cam.discovery")
public interface DiscoveryConfig {

    Udp udp();

    /**
     * Base64 site key (16..64 bytes). When set, every received datagram must carry a valid HMAC and every
     * DISCOVER is signed; when absent, signed and unsigned datagrams are both accepted (unverifiable signatures
     * are ignored by the codec).
     */
    Optional<String> siteKey();

    /** Manager id put into DISCOVER; devices echo it in REPLY. */
    @WithDefault("cam-discovery")
    String managerId();

    RateLimit rateLimit();

    /**
     * Registry bound: beyond it datagrams of unknown devices are rejected ("registry full"), so spoofed ANNOUNCEs
     * with random ids (possible without a site key) cannot exhaust memory.
     */
    @WithDefault("100000")
    int maxDevices();

    /** A device silent for longer than this is reported stale (it stays in the registry). */
    @WithDefault("5m")
    Duration staleAfter();

    Scan scan();

    Forward forward();

    Api api();

    /** Who may call {@code /api/**} besides holders of the discovery service token. */
    interface Api {
        /**
         * Accept a management-api admin's access token: the bearer token is shown to management-api
         * ({@code GET /api/v1/auth/whoami} at {@code forward.url}), which checks signature, expiry, the user's token
         * generation and enabled flag; the caller gets in when the answer's roles include admin.
         */
        @WithDefault("true")
        boolean admins();

        /** Checks in flight at once; beyond it a request is answered 503 (a flood of tokens is not passed on). */
        @WithDefault("8")
        int maxAdminChecks();
    }

    interface Udp {
        @WithDefault("0.0.0.0")
        String bindAddress();

        /** The answer port: ANNOUNCE and REPLY arrive here, and DISCOVER leaves from here. 0 picks a free port. */
        @WithDefault("3080")
        int port();

        /** Device port for the first DISCOVER. */
        @WithDefault("3080")
        int devicePort();

        /** Device port for the fallback DISCOVER (devices still answer to {@link #port()}). */
        @WithDefault("3081")
        int fallbackPort();

        /**
         * Address put into DISCOVER as "answer here". When absent: the bind address when it is not the wildcard,
         * else the local address the kernel routes towards each probed address.
         */
        Optional<String> advertisedAddress();

        /** SO_RCVBUF: absorbs bursts (a fleet booting at once) while the event loop catches up. */
        @WithDefault("4194304")
        int receiveBufferBytes();

        /** Pause before retrying a failed bind (port busy); readiness stays DOWN meanwhile. */
        @WithDefault("5s")
        Duration bindRetry();
    }

    interface RateLimit {
        /** Sustained datagrams per second accepted from one source address. */
        @WithDefault("50")
        double perSecond();

        /** Bucket size: datagrams one source may send in a burst. */
        @WithDefault("100")
        int burst();

        /** Source addresses tracked before idle buckets are evicted. */
        @WithDefault("100000")
        int maxSources();
    }

    interface Scan {
        /** Scan once the UDP socket is bound. */
        @WithDefault("true")
        boolean onStart();

        /**
         * Broadcast addresses of the start-up scan. Absent (or empty): 255.255.255.255, unless
         * {@link #startCidr()} is set, then no broadcast. No start-up scan at all: {@link #onStart()} false.
         */
        Optional<List<String>> startBroadcast();

        /** CIDR swept by unicast at start-up. */
        Optional<String> startCidr();

        /** Port mode of the start-up scan: 3080, 3081 or auto. */
        @WithDefault("auto")
        String startPort();

        /** Smallest prefix length a sweep may use: 16 caps a sweep at 65,536 addresses. */
        @WithDefault("16")
        int maxCidrPrefix();

        /** DISCOVER datagrams per second during a sweep (pacing protects devices and the network). */
        @WithDefault("5000")
        int sendRate();

        /** How long a phase waits for answers after its last DISCOVER, when the request names no timeout. */
        @WithDefault("1500ms")
        Duration defaultTimeout();

        @WithDefault("60s")
        Duration maxTimeout();

        /** Finished scans kept for GET /api/v1/scans/{id}. */
        @WithDefault("100")
        int retained();
    }

    interface Forward {
        @WithDefault("true")
        boolean enabled();

        /** Base URL of management-api. */
        @WithDefault("https://127.0.0.1:8443")
        String url();

        /** Service token sent as {@code Authorization: Bearer <token>}. */
        Optional<String> token();

        /** Devices waiting to be forwarded; beyond this new devices are dropped and counted. */
        @WithDefault("10000")
        int queueCapacity();

        @WithDefault("200ms")
        Duration initialBackoff();

        @WithDefault("30s")
        Duration maxBackoff();

        @WithDefault("5s")
        Duration requestTimeout();

        // Trust for management-api's HTTPS is not here: it is the TLS registry's named configuration
        // quarkus.tls.management (application.properties; env QUARKUS_TLS__MANAGEMENT__TRUST_STORE_PEM_CERTS, CAM_DISCOVERY_FORWARD_TRUST_ALL).
    }
}
