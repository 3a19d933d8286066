package org.cam.replication.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "cam.replication")
public interface ReplicationConfig {

    /** The node that is primary when the monitor starts (roles then follow switchover/promote). */
    Node primary();

    Node secondary();

    /** Observation interval. */
    @WithDefault("1s")
    Duration interval();

    /** Heartbeat write interval on the primary; lag accuracy is half of it. */
    @WithDefault("1s")
    Duration heartbeatInterval();

    /** JDBC connect timeout; keep it below the interval. */
    @WithDefault("400ms")
    Duration connectTimeout();

    /** JDBC socket (query) timeout for observations; keep it below the interval. */
    @WithDefault("800ms")
    Duration queryTimeout();

    /** Consecutive observations needed before a new state is published. */
    @WithDefault("2")
    int hysteresis();

    /** Lag above this is LAGGING. */
    @WithDefault("5s")
    Duration lagThreshold();

    /** Monitor-owned database on the primary (heartbeat and audit tables), replicated like everything else. */
    @WithDefault("cam_monitor")
    String monitorDatabase();

    Replication replication();

    AutoFailover autoFailover();

    /** Receives raise/clear JSON on state changes; unset = alarms are only logged. */
    Optional<URI> alarmWebhook();

    /** Service token sent as {@code Authorization: Bearer} to the webhook (management-api's replication token). */
    Optional<String> alarmWebhookToken();

    // Trust for the webhook's HTTPS is not here: it is the TLS registry's named configuration
    // quarkus.tls.management (application.properties; env QUARKUS_TLS__MANAGEMENT__TRUST_STORE_PEM_CERTS, CAM_REPLICATION_ALARM_WEBHOOK_TRUST_ALL).

    Admin admin();

    /**
     * management-api's service token (the one {@link #alarmWebhookToken()} sends the other way): a request bearing it
     * as {@code Authorization: Bearer} is management-api acting for one of its administrators, whom the request names
     * ({@code actor}) and the audit records. Unset = not accepted.
     */
    Optional<String> managementToken();

    /** The HAProxy agent-check listener that tells each database server whether it is the primary. */
    Agent agent();

    interface Node {
        @WithDefault("127.0.0.1")
        String host();

        int port();

        @WithDefault("camadmin")
        String user();

        @WithDefault("camadmin")
        String password();

        /** How the other node's replication threads reach this node; defaults to host/port. */
        Optional<String> replicationHost();

        Optional<Integer> replicationPort();
    }

    interface Replication {
        @WithDefault("repl")
        String user();

        @WithDefault("repl")
        String password();

        /** How long a switchover waits for the secondary to apply everything before it unfences and gives up. */
        @WithDefault("30s")
        Duration switchoverTimeout();

        /** How long promote waits for the secondary to apply what it already received. */
        @WithDefault("5s")
        Duration promoteCatchUpTimeout();
    }

    interface AutoFailover {
        @WithDefault("false")
        boolean enabled();

        /** PRIMARY_DOWN must last this long before an automatic promote. */
        @WithDefault("30s")
        Duration grace();

        /** No second automatic failover within this period after any failover. */
        @WithDefault("1h")
        Duration block();
    }

    interface Agent {
        /** TCP port of the agent listener; unset: no listener (Kubernetes uses the HTTP role check). */
        Optional<Integer> port();

        /** Address it binds; loopback by default (HAProxy runs beside the monitor). */
        @WithDefault("127.0.0.1")
        String host();
    }

    interface Admin {
        @WithDefault("admin")
        String username();

        /** bcrypt hash ($2a$/$2b$/$2y$) of the admin password; unset = switchover/promote are disabled. */
        Optional<String> passwordHash();
    }
}
