package org.cam.replication.alarm;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.cam.replication.config.ReplicationConfig;
import org.cam.replication.judge.ReplicationState;
import org.cam.replication.monitor.MonitorEngine;
import org.jboss.logging.Logger;

/**
 * Raises an alarm for every non-HEALTHY state and clears it when the state is left. management-api's internal
 * alarms go to the log and, when configured, to a webhook: management-api's internal alarms endpoint.
 * Sending is asynchronous so a slow receiver never delays the observation loop.
 */
@Startup // eager: a bad trust setting fails start-up, and the trust-all warning is logged then
@ApplicationScoped
public class AlarmNotifier implements MonitorEngine.Listener {

    private static final Logger LOG = Logger.getLogger("org.cam.replication.alarm");

    @Inject
    ReplicationConfig config;

    @Inject
    jakarta.enterprise.inject.Instance<org.cam.replication.monitor.MonitorService> monitor;

    @Inject
    MeterRegistry meters;

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
                .readTimeout(5, TimeUnit.SECONDS))
                .build(AlarmWebhook.class)).orElse(null);
        authorization = config.alarmWebhookToken().map(t -> "Bearer " + t).orElse(null);
    }

    /** Trust for the webhook's certificate: a PEM file, the JVM's default trust store, or (insecure) anything. */
    private QuarkusRestClientBuilder trust(QuarkusRestClientBuilder builder) {
        if (config.alarmWebhookTrustAll() && config.alarmWebhookTrustCertificateFile().isPresent()) {
            throw new IllegalStateException("set cam.replication.alarm-webhook-trust-certificate-file or "
                    + "cam.replication.alarm-webhook-trust-all, not both");
        }
        if (config.alarmWebhookTrustAll()) {
            LOG.warnf("INSECURE: cam.replication.alarm-webhook-trust-all=true accepts any certificate and host name "
                    + "from %s, so anyone on the path can pose as it and read the service token; set "
                    + "cam.replication.alarm-webhook-trust-certificate-file to its certificate or CA instead",
                    config.alarmWebhook().get());
            return builder.trustAll(true);
        }
        if (config.alarmWebhookTrustCertificateFile().isPresent()) {
            Path pem = Path.of(config.alarmWebhookTrustCertificateFile().get());
            LOG.infof("the alarm webhook's certificate is checked against %s", pem.toAbsolutePath());
            return builder.trustStore(PemTrustStore.load(pem), PemTrustStore.PASSWORD).verifyHost(true);
        }
        return builder;
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
