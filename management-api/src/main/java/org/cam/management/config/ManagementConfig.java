package org.cam.management.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** All management-api settings, prefix {@code cam.management}. */
@ConfigMapping(prefix = "cam.management")
public interface ManagementConfig {

    Admin admin();

    Jwt jwt();

    Lockout lockout();

    Ldap ldap();

    /**
     * Bearer tokens of the other services (never users' credentials). A request bearing one authenticates as
     * {@code service:<name>} with roles {@code service} and {@code service:<name>}; absent = not accepted.
     */
    ServiceTokens serviceTokens();

    Secrets secrets();

    Devices devices();

    Sessions sessions();

    Targets targets();

    Recording recording();

    /**
     * Session recordings: the broker writes them into {@code storage-dir} (a volume both mount), management-api lists,
     * verifies, serves and purges them.
     */
    interface Recording {
        /** Where the brokers write {@code <session id>.camrec} files. */
        @WithDefault(".cam/recordings")
        String storageDir();

        /** Target sets recorded whatever their own setting says (deploy-time policy; the demo: lab). */
        Optional<java.util.List<String>> alwaysSets();

        /** Whether the sets of {@link #alwaysSets()} are fail-closed. */
        @WithDefault("false")
        boolean alwaysSetsFailClosed();

        /** Recordings of sessions that ended longer ago are deleted by the daily purge. */
        @WithDefault("90")
        int retentionDays();
    }

    /** The other services management-api calls for its pages (replication-monitor, discovery-service). */
    Peers peers();

    /**
     * Base URLs of replication-monitor and discovery-service (http or https, the JVM's trust store for https).
     * management-api authenticates with the service's own token ({@link ServiceTokens}): the one each service presents
     * here is the one it accepts from here. Absent: the page says the service is not configured.
     */
    interface Peers {
        /** e.g. http://127.0.0.1:8083 */
        Optional<java.net.URI> replicationMonitorUrl();

        /** e.g. http://127.0.0.1:8081 */
        Optional<java.net.URI> discoveryUrl();

        @WithDefault("PT3S")
        Duration connectTimeout();

        /** Reads (status, history, scan progress). */
        @WithDefault("PT10S")
        Duration readTimeout();

        /** Topology changes and scan starts: a switchover waits for the replica to catch up. */
        @WithDefault("PT90S")
        Duration actionTimeout();
    }

    /**
     * Where RFB-endpoint targets may point. A target makes the broker connect there on a user's behalf, so by default
     * not at the manager's own host (loopback, any-local, link-local) nor at database, directory or cluster ports.
     */
    interface Targets {
        /** Allow loopback and link-local hosts (the demo and the tests run their RFB endpoints on 127.0.0.x). */
        @WithDefault("false")
        boolean allowLoopback();

        /** Ports no target may use: SSH, LDAP, etcd, MySQL, the Kubernetes API and kubelet, CAM's own services. */
        @WithDefault("22,389,636,2379,2380,3306,6443,8081,8082,8083,8443,9900,9901,9902,10250")
        java.util.List<Integer> deniedPorts();
    }

    /** Secrets at rest (device secrets, channel credentials, one-time VNC passwords): AES-256-GCM. */
    interface Secrets {
        /** Base64 of 32 bytes. When absent the key is read from (or generated into) {@link #keyFile()}. */
        Optional<String> key();

        @WithDefault(".cam/management-api/secrets.key")
        String keyFile();
    }

    interface Devices {
        /** The appliance default credential accepted before enrolment. */
        @WithDefault("cam-bootstrap")
        String bootstrapPassword();

        /** Status poll interval of managed devices, e.g. 10s. */
        @WithDefault("10s")
        String pollEvery();

        /** A device is offline (alarm, targets Unavailable) after this many missed polls in a row. */
        @WithDefault("3")
        int offlineAfterMissedPolls();

        @WithDefault("PT3S")
        Duration requestTimeout();

        /** Subnets (CIDR, comma-separated) whose discovered devices are enrolled without an operator. Off when empty. */
        Optional<java.util.List<String>> autoApproveSubnets();

        /**
         * The brokers' addresses (IPv4 addresses or CIDR blocks, comma-separated): devices are told at enrolment and
         * with every configuration push to speak RFB with these only. No default, because only the deployment knows
         * them: absent, devices keep their own setting (demo and tests: 127.0.0.1/32; Kubernetes: the pod network).
         */
        Optional<java.util.List<String>> rfbAllowedSources();

        /** Policy of the targets enrolment creates. */
        @WithDefault("SHARED_VIEW")
        org.cam.management.target.AccessPolicy defaultPolicy();

        /** Target set that receives every enrolled channel (created when missing); none when absent (demo: lab). */
        Optional<String> targetSet();

        /** Demo seed: grant on {@link #targetSet()} to this user group once it exists (demo: cam-users). */
        Optional<String> seedGrantGroup();

        @WithDefault("FULL_CONTROL")
        org.cam.management.access.AccessLevel seedGrantLevel();

        /** Timeout of calls that wait for the device to act: configuration pushes, firmware uploads. */
        @WithDefault("PT60S")
        Duration operationRequestTimeout();

        /** An operation (firmware upgrade, reboot) not finished after this fails with an alarm. */
        @WithDefault("PT15M")
        Duration operationTimeout();

        /** The firmware library: images operators can install (a volume in Kubernetes). */
        @WithDefault(".cam/management-api/firmware")
        String firmwareDirectory();
    }

    interface Sessions {
        /** Lifetime of ticket and one-time VNC password: a PENDING session nobody claims in time expires. */
        @WithDefault("PT30S")
        Duration ticketTtl();

        @WithDefault("cam-broker")
        String ticketAudience();

        /** Ed25519 ticket keys; a pair is generated here at first start when both are missing. */
        @WithDefault(".cam/management-api/ticket-private.pem")
        String ticketPrivateKey();

        /** The broker reads this file (cam.broker.ticket.public-keys.auto). */
        @WithDefault(".cam/management-api/ticket-public.pem")
        String ticketPublicKey();

        /** Where clients connect, as given in the session answer. */
        @WithDefault("127.0.0.1:9900")
        String brokerRfb();

        @WithDefault("127.0.0.1:9901")
        String brokerRfbTls();

        @WithDefault("wss://127.0.0.1:9902/")
        String brokerWebsocketUrl();

        /**
         * Passed to the broker in the claim and shown by the console (its idle warning); 0 = the broker's defaults,
         * which the console cannot know. The defaults are the broker's own (15 min, 8 h).
         */
        @WithDefault("900")
        int idleTimeoutSeconds();

        @WithDefault("28800")
        int maxDurationSeconds();

        /**
         * Failed VNC claims (one-time password guesses) per client address within a minute before further attempts
         * are refused with 429; counted in the database, so all replicas together allow this many.
         */
        @WithDefault("10")
        int vncFailuresPerMinute();

        /**
         * Lifetime of the credential set on a device channel for one claimed session (it is also used up by the
         * broker's authentication): long enough for the broker to connect.
         */
        @WithDefault("PT60S")
        Duration channelCredentialTtl();

        /** An ACTIVE session its broker stops reporting in heartbeats for this long ends as broker_lost. */
        @WithDefault("PT45S")
        Duration brokerLostAfter();

        /**
         * How long a session whose broker drained waits for its console to resume it on another broker (RESUMING)
         * before it ends; a console resumes within seconds, this only bounds a console that went away meanwhile.
         */
        @WithDefault("PT30S")
        Duration resumeWindow();
    }

    interface ServiceTokens {
        Optional<String> broker();

        Optional<String> discovery();

        Optional<String> replicationMonitor();

        /** Prometheus's credential for /q/metrics (identity service:metrics; nothing else accepts it). */
        Optional<String> metrics();
    }

    interface Admin {
        /** Username of the built-in local administrator. */
        @WithDefault("admin")
        String username();

        /** First password; when absent one is generated and printed once in the log. */
        Optional<String> initialPassword();
    }

    interface Jwt {
        @WithDefault("cam-management")
        String issuer();

        @WithDefault("PT10M")
        Duration accessTokenTtl();

        @WithDefault("PT8H")
        Duration refreshTokenTtl();

        /**
         * Folder holding jwt-private.pem / jwt-public.pem. When both are missing a key pair is generated there
         * (demo); production mounts its own keys at this path.
         */
        @WithDefault(".cam/management-api/jwt")
        String keyDir();
    }

    interface Lockout {
        @WithDefault("5")
        int maxFailuresPerUser();

        @WithDefault("20")
        int maxFailuresPerAddress();

        /** Failures older than this are forgotten; a locked user or address is free again after it. */
        @WithDefault("PT15M")
        Duration window();
    }

    interface Ldap {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("ldap://127.0.0.1:13389")
        String url();

        /** Service account for searches and sync; anonymous when absent. */
        Optional<String> bindDn();

        Optional<String> bindPassword();

        @WithDefault("ou=people,dc=cam,dc=test")
        String userBase();

        @WithDefault("(objectClass=inetOrgPerson)")
        String userFilter();

        /** uid for OpenLDAP, sAMAccountName for Active Directory. */
        @WithDefault("uid")
        String userIdAttribute();

        @WithDefault("cn")
        String displayNameAttribute();

        @WithDefault("mail")
        String emailAttribute();

        @WithDefault("ou=groups,dc=cam,dc=test")
        String groupBase();

        @WithDefault("(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup)(objectClass=group))")
        String groupFilter();

        @WithDefault("cn")
        String groupNameAttribute();

        /** member / uniqueMember (values are DNs) or memberUid (values are user ids). */
        @WithDefault("member")
        String memberAttribute();

        /** DN when member values are DNs, UID when they are user ids (posixGroup memberUid). */
        @WithDefault("DN")
        MemberValue memberValue();

        /** LDAP group name -> CAM role (admin, operator, user, viewer). Nested membership counts. */
        Map<String, String> roleMapping();

        /** How long a successful LDAP bind is remembered (salted hash of the password, in memory). */
        @WithDefault("PT60S")
        Duration cacheTtl();

        @WithDefault("PT5S")
        Duration connectTimeout();

        /** Upgrade an ldap:// connection with StartTLS before anything is sent (ldaps:// is TLS from the start). */
        @WithDefault("false")
        boolean startTls();

        /**
         * PEM file with the certificate(s) of the CA that issued the directory's certificate; when absent the JVM's
         * trust store decides. Either way the certificate must name the host of the URL.
         */
        Optional<String> trustStore();

        /** Interval of the scheduled import/sync, e.g. 15m; "off" disables the schedule. */
        @WithDefault("15m")
        String syncEvery();

        /**
         * Run a sync at start and report ready only once one succeeded, so directory groups and their grants exist
         * before the first login (retried with a jittered back-off while the directory does not answer).
         */
        @WithDefault("true")
        boolean syncAtStart();

        enum MemberValue { DN, UID }
    }
}
