package org.cam.broker.kubernetes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.cam.broker.BrokerConfig;
import org.cam.broker.session.BrokerService;
import org.cam.protocol.rfb.DeviceTls;
import org.jboss.logging.Logger;

/**
 * Keeps {@value #ANNOTATION} on this replica's pod at its number of active sessions, so that when the
 * Deployment scales down, the ReplicaSet deletes the pods with the fewest sessions first (the annotation is the
 * ReplicaSet controller's tie-breaker for which pods to remove; beta since Kubernetes 1.22).
 *
 * <p>The count is compared every {@code interval}; a merge patch goes only when it changed, one at a time. A refused or
 * failed patch is retried after a jittered, doubling back-off: a wrong cost only makes a scale-down less kind, never
 * breaks a session, so the broker keeps relaying and says so in the log and in
 * {@code cam_broker_pod_deletion_cost_failures_total}.
 */
@ApplicationScoped
public class PodDeletionCost {

    public static final String ANNOTATION = "controller.kubernetes.io/pod-deletion-cost";
    private static final Logger LOG = Logger.getLogger(PodDeletionCost.class);

    private final PodDeletionCostConfig config;
    private final BrokerConfig broker;
    private final Vertx vertx;
    private final BrokerService sessions;
    private final Counter failuresTotal;
    private KubernetesPods api;
    private String namespace;
    private String pod;
    private long timer = -1;
    // Touched on the timer's event loop only.
    private int published = -1;
    private boolean inFlight;
    private int failures;
    private long retryAtNanos;

    public PodDeletionCost(PodDeletionCostConfig config, BrokerConfig broker, Vertx vertx, BrokerService sessions,
                           MeterRegistry registry) {
        this.config = config;
        this.broker = broker;
        this.vertx = vertx;
        this.sessions = sessions;
        this.failuresTotal = Counter.builder("cam.broker.pod.deletion.cost.failures")
                .description("Patches of this pod's deletion cost that the Kubernetes API refused or that failed")
                .register(registry);
    }

    void onStart(@Observes StartupEvent e) throws IOException {
        if (!config.enabled()) {
            return;
        }
        // A broker told to keep the annotation but given no token, CA or namespace is misconfigured: fail the start
        // with the path, not every patch with a 401 later.
        namespace = config.namespace().orElse(Files.readString(Path.of(config.namespacePath())).strip());
        pod = config.podName().orElse(broker.brokerId());
        token();
        api = QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(config.apiUrl()))
                .trustStore(trustStore(Path.of(config.caPath())))
                .connectTimeout(5, TimeUnit.SECONDS)
                .readTimeout(10, TimeUnit.SECONDS)
                .build(KubernetesPods.class);
        IntSupplier count = sessions::activeCount;
        timer = vertx.setPeriodic(0, Math.max(50, config.interval().toMillis()), id -> tick(count.getAsInt()));
        LOG.infof("keeping %s on pod %s/%s at the active session count (%s)", ANNOTATION, namespace, pod,
                config.apiUrl());
    }

    void onStop(@Observes ShutdownEvent e) {
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    private void tick(int active) {
        if (inFlight || active == published || System.nanoTime() - retryAtNanos < 0) {
            return;
        }
        String authorization;
        try {
            authorization = "Bearer " + token();
        } catch (IOException ex) {
            failed(active, ex);
            return;
        }
        inFlight = true;
        String patch = "{\"metadata\":{\"annotations\":{\"" + ANNOTATION + "\":\"" + active + "\"}}}";
        api.patch(namespace, pod, authorization, patch).subscribe().with(
                response -> vertx.runOnContext(x -> {
                    response.close();
                    inFlight = false;
                    failures = 0;
                    published = active;
                    LOG.debugf("%s=%d on %s/%s", ANNOTATION, active, namespace, pod);
                }),
                error -> vertx.runOnContext(x -> {
                    inFlight = false;
                    failed(active, error);
                }));
    }

    private void failed(int active, Throwable error) {
        failures++;
        failuresTotal.increment();
        long ceiling = config.maxBackoff().toNanos();
        long backoff = Math.min(ceiling, config.interval().toNanos() << Math.min(failures, 20));
        // Full jitter on the upper half: replicas that failed together (API server restart) do not retry together.
        retryAtNanos = System.nanoTime() + backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
        if (failures == 1 || failures % 10 == 0) {
            LOG.warnf("could not set %s=%d on pod %s/%s (%d failure(s) in a row, next try in about %d ms): %s",
                    ANNOTATION, active, namespace, pod, failures, TimeUnit.NANOSECONDS.toMillis(backoff),
                    error.toString());
        }
    }

    private String token() throws IOException {
        String token = Files.readString(Path.of(config.tokenPath())).strip();
        if (token.isEmpty()) {
            throw new IOException(config.tokenPath() + " is empty");
        }
        return token;
    }

    private static KeyStore trustStore(Path caFile) throws IOException {
        try {
            List<X509Certificate> cas = DeviceTls.certificates(Files.readString(caFile));
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            for (int i = 0; i < cas.size(); i++) {
                ks.setCertificateEntry("kubernetes-ca-" + i, cas.get(i));
            }
            return ks;
        } catch (IOException ex) {
            throw ex;
        } catch (Exception ex) {
            throw new IOException(caFile + ": " + ex.getMessage(), ex);
        }
    }
}
