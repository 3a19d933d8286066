package org.cam.broker;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cam.protocol.recording.SegmentCodec;

/** All session-broker settings (prefix {@code cam.broker}); see application.properties for the env names. */
@ConfigMapping(prefix = "cam.broker")
public interface BrokerConfig {

    /** Names this replica towards management-api (claims, end reports, heartbeats). Pod name in Kubernetes. */
    String brokerId();

    /** Address the KVM listeners bind to. */
    @WithDefault("0.0.0.0")
    String host();

    /**
     * Every client connection on 9900-9902 starts with a PROXY protocol header (v1 or v2) that names the client, as a
     * TCP load balancer (HAProxy {@code send-proxy-v2}) sends it: the audit, the per-address limits and the claim then
     * see the client, not the balancer. Only behind such a balancer: with it on, a connection without the header is
     * dropped, and a client reaching the broker directly could name any address it likes.
     */
    @WithDefault("false")
    boolean proxyProtocol();

    /** Plain RFB for stock VNC clients (published as 900). 0 picks a free port (tests). */
    @WithDefault("9900")
    int plainPort();

    /** RFB with VeNCrypt X509Vnc: TLS inside the RFB handshake, as TigerVNC and other viewers speak it (published as 901). */
    @WithDefault("9901")
    int tlsPort();

    /** WebSocket over TLS for noVNC (published as 902). */
    @WithDefault("9902")
    int websocketPort();

    Tls tls();

    Ticket ticket();

    Relay relay();

    Management management();

    DeviceTls deviceTls();

    Limits limits();

    Recording recording();

    /** On SIGTERM: how long running sessions may continue before they end with reason broker_drained. */
    @WithDefault("30s")
    Duration drainGrace();

    /**
     * On SIGTERM: how long browser consoles keep working here before they are asked to resume on another replica:
     * long enough for the Service (or the demo's HAProxy, checking readiness every 500 ms) to stop sending new
     * connections here, so the console's reconnection reaches a replica that stays. Part of the drain grace.
     */
    @WithDefault("1s")
    Duration drainResumeAfter();

    /** Bearer token management-api presents on the admin port's DELETE /api/v1/sessions/{id}; empty: open. */
    Optional<String> adminToken();

    interface Tls {
        /** PEM certificate chain for 9901/9902; when absent a self-signed certificate is made at start (demo). */
        Optional<String> certPath();

        /** PEM private key matching cert-path. */
        Optional<String> keyPath();

        /**
         * TLS versions the VeNCrypt port (9901) accepts. TLSv1.2 by default: TigerVNC's viewer 1.12 (Debian 12's)
         * stalls after a TLS 1.3 handshake with the JDK: the server's session ticket and the VNC challenge arrive
         * together, its TLS library reads both, and the viewer then waits on the socket for the challenge it already
         * has. The WebSocket port (9902) keeps the JDK's defaults.
         */
        @WithDefault("TLSv1.2")
        List<String> vencryptProtocols();
    }

    interface DeviceTls {
        /**
         * PEM file of CA certificates a target's VeNCrypt X509 certificate may chain to, for every target (a target's
         * own fingerprint or CA comes first). Absent: only targets with their own fingerprint or CA use VeNCrypt.
         */
        Optional<String> caPath();
    }

    interface Ticket {
        /** Audience a ticket must name. */
        @WithDefault("cam-broker")
        String audience();

        /** Tolerated clock difference to management-api. */
        @WithDefault("5s")
        Duration allowedSkew();

        /**
         * Ed25519 public keys by key id: the value is PEM text or a path to a PEM file. Several during a key
         * rotation. Without any key every ticket is refused (reason "unknown key").
         */
        Map<String, String> publicKeys();
    }

    interface Relay {
        /** Bytes queued towards one side before the other side's reading pauses (backpressure). */
        @WithDefault("262144")
        int writeQueueMaxBytes();

        /** Whole handshake (client and device) must finish within this. */
        @WithDefault("30s")
        Duration handshakeTimeout();

        /** Connecting to the device. */
        @WithDefault("10s")
        Duration deviceConnectTimeout();

        /** Used when management-api does not give one with the claim. */
        @WithDefault("15m")
        Duration defaultIdleTimeout();

        /** Used when management-api does not give one with the claim. */
        @WithDefault("8h")
        Duration defaultMaxDuration();

        /** WebSocket pings keep load balancers from cutting quiet browser sessions (their idle limit is often 60 s). */
        @WithDefault("20s")
        Duration websocketPingInterval();

        /** Largest ClientCutText accepted from a client. */
        @WithDefault("1048576")
        int maxCutText();
    }

    /**
     * What one address, and everybody together, may hold of the client listeners (9900, 9901, 9902 counted together),
     * and how fast an address may guess one-time passwords. A connection over a limit is closed with a reason (an RFB
     * failure on 9900/9901, 503 with Retry-After on 9902) and counted in {@code cam_broker_rejects_total{reason}}.
     */
    interface Limits {
        /** Open client connections of all listeners together, sessions included (reason too_many_connections). */
        @WithDefault("10000")
        int maxConnections();

        /**
         * Open client connections from one address (reason too_many_connections_from_address). Users behind one NAT
         * share an address: size it for the largest such site.
         */
        @WithDefault("100")
        int maxConnectionsPerAddress();

        /**
         * Connections accepted but not relaying yet (reason too_many_handshakes): each may cost management-api a claim
         * and the broker a device connection.
         */
        @WithDefault("200")
        int maxHandshakes();

        /**
         * What a client sends without a person in the loop must arrive within this: on 9900/9901 the RFB version and
         * the choice of security type (and VeNCrypt's version and sub-type); on 9902 the TLS handshake, the upgrade
         * request and the ticket. The one-time password prompt comes after it (relay.handshake-timeout covers that).
         */
        @WithDefault("10s")
        Duration helloTimeout();

        /**
         * One-time password guesses (VNC Authentication answers on 9900/9901) per address: a bucket of
         * {@code vnc-guess-burst} tokens refilled at {@code vnc-guesses-per-minute}. Every answer takes a token before
         * it is sent to management-api (a right one gives it back, so users behind one NAT do not use up each other's
         * budget); with none left the answer is refused here (reason vnc_auth_throttled) and a new connection from
         * that address is refused at once (reason throttled).
         */
        @WithDefault("10")
        int vncGuessBurst();

        @WithDefault("20")
        int vncGuessesPerMinute();
    }

    /**
     * Session recordings (when the claim asks for one): segments are appended to a file in {@code storage-dir}, a
     * directory management-api reads too (a shared volume / PersistentVolumeClaim); segments the storage does not take
     * wait in {@code spool-dir} (local, an emptyDir) up to {@code spool-max-bytes} for all sessions together.
     */
    interface Recording {
        /** Durable storage shared with management-api: one {@code <session id>.camrec} file per recorded session. */
        @WithDefault(".cam/recordings")
        String storageDir();

        /** Local spool for segments the storage could not take yet. */
        @WithDefault(".cam/session-broker/spool")
        String spoolDir();

        /** Spooled bytes of all sessions together before a recording fails (fail-closed sessions then end). */
        @WithDefault("268435456")
        long spoolMaxBytes();

        /** A segment is written at least this often: what a broker killed at once loses at most. */
        @WithDefault("5s")
        Duration segmentInterval();

        /** ... or when this many record bytes wait (before compression). */
        @WithDefault("4194304")
        int segmentBytes();

        /**
         * Bytes of one session's closed segments that may wait for the writer (the disk; with zlib, compression too)
         * before the device is read no further (backpressure, as for a slow client). With LZ4 they are compressed
         * bytes (the event loop compresses as the segment fills), with zlib raw ones.
         */
        @WithDefault("16777216")
        int maxBacklogBytes();

        /**
         * How often the broker asks the device for a full frame, so playback can seek near any point: a seek draws
         * from the last keyframe a few seconds before its target (docs/performance.md, "Seeking").
         */
        @WithDefault("30s")
        Duration keyframeInterval();

        /**
         * What segments are compressed with: {@code lz4} (the default: about a tenth of zlib level 1's CPU per byte,
         * which the relay pays for; a bigger file) or {@code zlib} (at {@link #compressionLevel}; what recordings were
         * before LZ4). Each segment names its codec, so players read both.
         */
        @WithDefault("lz4")
        SegmentCodec.Codec codec();

        /** zlib level of the segments when {@link #codec} is zlib (1: fastest; the relay pays for it). */
        @WithDefault("1")
        int compressionLevel();

        /** Threads that seal and write segments for all sessions (and deflate them when the codec is zlib). */
        @WithDefault("2")
        int writerThreads();
    }

    interface Management {
        /**
         * Service credential sent as {@code Authorization: Bearer <token>} (env CAM_BROKER_MANAGEMENT_TOKEN). No default:
         * a broker with a guessable token would be a broker anyone could impersonate, so without one it does not start.
         */
        String token();

        /** Heartbeat period: carries active sessions and draining state, returns admin disconnects. */
        @WithDefault("10s")
        Duration heartbeatInterval();

        /** Readiness needs a successful heartbeat no older than this. */
        @WithDefault("35s")
        Duration readyWithin();
    }
}
