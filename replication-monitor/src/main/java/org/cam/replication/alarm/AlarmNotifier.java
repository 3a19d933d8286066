package org.cam.replication.alarm;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
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
@ApplicationScoped
public class AlarmNotifier implements MonitorEngine.Listener {

    private static final Logger LOG = Logger.getLogger("org.cam.replication.alarm");

    @Inject
    ReplicationConfig config;

    @Inject
    jakarta.enterprise.inject.Instance<org.cam.replication.monitor.MonitorService> monitor;

    private AlarmWebhook webhook;
    private String authorization;

    @PostConstruct
    void init() {
        webhook = config.alarmWebhook().map(uri -> QuarkusRestClientBuilder.newBuilder()
                .baseUri(uri)
                .connectTimeout(2, TimeUnit.SECONDS)
                .readTimeout(5, TimeUnit.SECONDS)
                // Only for the local demo, whose management-api certificate is self-signed.
                .trustAll(config.alarmWebhookTrustAll())
                .build(AlarmWebhook.class)).orElse(null);
        authorization = config.alarmWebhookToken().map(t -> "Bearer " + t).orElse(null);
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
                LOG.errorf("alarm webhook %s failed for %s %s: %s", config.alarmWebhook().get(), e.action(),
                        e.alarm(), err.getMessage());
            }
        });
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
