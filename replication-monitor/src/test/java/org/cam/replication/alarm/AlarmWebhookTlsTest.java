package org.cam.replication.alarm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import org.cam.replication.judge.ReplicationState;
import org.junit.jupiter.api.Test;

/**
 * The TLS registry's configuration "management" (quarkus.tls.management.trust-store.pem.certs, which
 * QUARKUS_TLS__MANAGEMENT__TRUST_STORE_PEM_CERTS sets) against a real HTTPS webhook on loopback: only the trusted
 * certificate, for the host name in the URL, gets an alarm delivered; refusals are counted and nothing arrives.
 */
@QuarkusTest
@QuarkusTestResource(value = TlsWebhookResource.class, restrictToAnnotatedClass = true)
class AlarmWebhookTlsTest {

    @Inject
    AlarmNotifier notifier;

    @Inject
    MeterRegistry meters;

    @Inject
    TlsConfigurationRegistry tls;

    double failures() {
        return meters.counter("cam_replication_alarm_webhook_failures").count();
    }

    @Test
    void onlyTheTrustedCertificateForTheRightHostGetsTheAlarm() throws Exception {
        // The file reached the client through the registry: both of its certificates are in the trust store.
        assertThat(tls.get(AlarmNotifier.TLS_CONFIGURATION).orElseThrow().getTrustStore().size()).isEqualTo(2);
        // The nodes' ports are closed, so the monitor raises an alarm at once; the webhook presents a foreign
        // certificate.
        await().atMost(Duration.ofSeconds(15)).until(() -> failures() >= 1);
        assertThat(TlsWebhookResource.PRESENTED).contains("foreign");
        assertThat(TlsWebhookResource.ALARMS).isEmpty();

        // Trusted, but issued for another host name: host-name verification refuses it.
        TlsWebhookResource.serving = "other-host";
        double before = failures();
        notifier.onTransition(ReplicationState.HEALTHY, ReplicationState.LAGGING, Instant.now(), "probe-1");
        await().atMost(Duration.ofSeconds(15)).until(() -> failures() >= before + 1);
        assertThat(TlsWebhookResource.PRESENTED).contains("other-host");
        assertThat(TlsWebhookResource.ALARMS).isEmpty();

        TlsWebhookResource.serving = "api";
        notifier.onTransition(ReplicationState.HEALTHY, ReplicationState.LAGGING, Instant.now(), "probe-2");
        await().atMost(Duration.ofSeconds(15))
                .until(() -> TlsWebhookResource.ALARMS.stream().anyMatch(a -> a.contains("probe-2")));
        assertThat(TlsWebhookResource.ALARMS).noneMatch(a -> a.contains("probe-1"));
        assertThat(TlsWebhookResource.AUTHORIZATIONS).containsOnly("Bearer " + TlsWebhookResource.TOKEN);
    }
}
