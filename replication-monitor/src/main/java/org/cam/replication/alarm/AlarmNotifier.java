package org.cam.replication.alarm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.runtime.Startup;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.cam.replication.config.ReplicationConfig;
import org.cam.replication.judge.ReplicationState;
import org.cam.replication.monitor.MonitorEngine;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Raises an alarm for every non-HEALTHY state and clears it when the state is left. management-api's internal
 * alarms go to the log and, when configured, to a webhook: management-api's internal alarms endpoint.
 * Sending is asynchronous so a slow receiver never delays the observation loop.
 */
@Startup // eager: the trust-all warning is logged at start-up (a bad trust file already fails it in the registry)
@ApplicationScoped
public class AlarmNotifier implements MonitorEngine.Listener {

    private static final Logger LOG = Logger.getLogger("org.cam.replication.alarm");
    /** The named TLS configuration for management-api (the same name as in session-broker and discovery-service). */
    // No dash in the name: QUARKUS_TLS__MANAGEMENT__* environment variables can then name it (see session-broker).
    static final String TLS_CONFIGURATION = "management";

    @Inject
    ReplicationConfig config;

    @Inject
    jakarta.enterprise.inject.Instance<org.cam.replication.monitor.MonitorService> monitor;

    @Inject
    MeterRegistry meters;

    @Inject
    TlsConfigurationRegistry tlsRegistry;

    private AlarmWebhook webhook;
    private String authorization;
    private Counter failures;

    @PostConstruct
    void init() {
        failures = Counter.builder("cam_replication_alarm_webhook_failures")
                .description("Alarm events the webhook did not accept (unreachable, TLS refused, error status)")
                .register(meters);
        webhook = config.alarmWebhook().map(uri -> trust(QuarkusRestClientBuilder.newBuilder()
                .baseUri(uri)
                .connectTimeout(2, TimeUnit.SECONDS)
                .readTimeout(5, TimeUnit.SECONDS), uri)
                .build(AlarmWebhook.class)).orElse(null);
        authorization = config.alarmWebhookToken().map(t -> "Bearer " + t).orElse(null);
    }

    /**
     * Trust for the webhook's certificate comes from the Quarkus TLS registry, as in session-broker: the named
     * configuration {@value #TLS_CONFIGURATION} (the webhook is management-api's alarms endpoint). The registry has
     * already read the PEM file at start-up (a missing or unreadable one fails the start) and refuses trust-all
     * together with a trust store; no trust store and no trust-all means the JVM's default trust. Plain http (tests)
     * gets none: a TLS configuration would switch the client to TLS.
     */
    private QuarkusRestClientBuilder trust(QuarkusRestClientBuilder builder, URI uri) {
        if (!"https".equalsIgnoreCase(uri.getScheme())) {
            return builder;
        }
        TlsConfiguration tls = tlsRegistry.get(TLS_CONFIGURATION).orElseThrow(() -> new IllegalStateException(
                "no TLS configuration quarkus.tls." + TLS_CONFIGURATION + ".* (application.properties defines it)"));
        if (tls.isTrustAll()) {
            LOG.warnf("INSECURE: quarkus.tls.%s.trust-all=true (CAM_REPLICATION_ALARM_WEBHOOK_TRUST_ALL) accepts any "
                    + "certificate from %s, so anyone on the path can pose as it and read the service token; trust "
                    + "its certificate or CA instead (QUARKUS_TLS__MANAGEMENT__TRUST_STORE_PEM_CERTS)",
                    TLS_CONFIGURATION, uri);
        } else if (tls.getTrustStore() != null) {
            LOG.infof("the alarm webhook's certificate is checked against %s (host-name verification %s)",
                    ConfigProvider.getConfig().getOptionalValue("quarkus.tls." + TLS_CONFIGURATION
                            + ".trust-store.pem.certs", String.class).orElse("the configured trust store"),
                    tls.getHostnameVerificationAlgorithm().orElse("HTTPS"));
        }
        return builder.tlsConfiguration(tls);
    }

    @Override
    public void onTransition(ReplicationState from, ReplicationState to, Instant since, String detail) {
        if (from != null && from != ReplicationState.HEALTHY) {
            send(new AlarmEvent("CLEAR", key(from), from.name(), severity(from), since, Instant.now(),
                    "state is now " + to + ": " + detail, primary(), secondary(), "replication-monitor"));
        }
        if (to != ReplicationState.HEALTHY) {
            send(new AlarmEvent("RAISE", key(to), to.name(), severity(to), since, Instant.now(), detail, primary(),
                    secondary(), "replication-monitor"));
        }
    }

    private String primary() {
        return monitor.get().engine().primaryEndpoint().address();
    }

    private String secondary() {
        return monitor.get().engine().secondaryEndpoint().address();
    }

    private void send(AlarmEvent e) {
        LOG.warnf("ALARM %s %s severity=%s since=%s: %s", e.action(), e.alarm(), e.severity(), e.since(), e.detail());
        if (webhook == null) {
            return;
        }
        webhook.send(authorization, e).whenComplete((ok, err) -> {
            if (err != null) {
                failures.increment();
                LOG.errorf("alarm webhook %s failed for %s %s: %s", config.alarmWebhook().get(), e.action(),
                        e.alarm(), describe(err));
            }
        });
    }

    /** The error with its innermost cause: a refused certificate otherwise reads "Failed to create SSL connection". */
    private static String describe(Throwable err) {
        Throwable root = err;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == err ? String.valueOf(err.getMessage()) : err.getMessage() + " (" + root + ")";
    }

    static String key(ReplicationState s) {
        return "replication." + s.name();
    }

    static String severity(ReplicationState s) {
        return switch (s) {
            case PRIMARY_DOWN, SPLIT_BRAIN_RISK, REPLICATION_BROKEN, ERRANT_TRANSACTIONS -> "CRITICAL";
            case SECONDARY_DOWN, REPLICATION_STOPPED -> "MAJOR";
            case LAGGING, UNREACHABLE_FROM_MONITOR -> "MINOR";
            case HEALTHY -> "CLEARED";
        };
    }
}
