package org.cam.discovery.forward;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.cam.discovery.config.DiscoveryConfig;
import org.cam.discovery.device.DiscoveredDevice;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * One worker thread that drains {@link ForwardQueue} towards management-api in order, one device state per
 * request. Failures (connection refused, timeouts, 5xx, 401/403/404/408/429) keep the state at the head and back
 * off exponentially; only a 4xx that says the body itself is wrong drops it, because repeating it cannot help.
 */
@ApplicationScoped
public class Forwarder {

    private static final Logger LOG = Logger.getLogger(Forwarder.class);
    /** Answers that say "this notice is wrong", not "try later". */
    private static final Set<Integer> PERMANENT = Set.of(400, 409, 413, 415, 422);
    /** The named TLS configuration for management-api (the same name as in session-broker). */
    // No dash in the name: QUARKUS_TLS__MANAGEMENT__* environment variables can then name it (a dash cannot be
    // written in an environment name; QUARKUS_TLS__MANAGEMENT_API__* means "management.api").
    static final String TLS_CONFIGURATION = "management";

    @Inject
    DiscoveryConfig config;

    @Inject
    ForwardQueue queue;

    @Inject
    MeterRegistry meters;

    @Inject
    TlsConfigurationRegistry tlsRegistry;

    private ManagementApiClient client;
    private Thread worker;
    private volatile boolean running;
    private Counter sent;
    private Counter failures;
    private Counter rejected;
    /** Only the worker thread touches it. */
    private boolean tlsWarned;

    void start(@Observes StartupEvent ev) {
        if (!config.forward().enabled()) {
            LOG.info("forwarding to management-api is disabled (cam.discovery.forward.enabled=false)");
            return;
        }
        sent = meters.counter("cam.discovery.forward.sent");
        failures = meters.counter("cam.discovery.forward.failures");
        rejected = meters.counter("cam.discovery.forward.rejected");
        long timeoutMs = config.forward().requestTimeout().toMillis();
        QuarkusRestClientBuilder builder = QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(config.forward().url()))
                .connectTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .readTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                // Statuses are our retry decision, not exceptions.
                .property("microprofile.rest.client.disable.default.mapper", true);
        client = trust(builder).build(ManagementApiClient.class);
        running = true;
        worker = new Thread(this::run, "discovery-forwarder");
        worker.setDaemon(true);
        worker.start();
        LOG.infof("forwarding discoveries to %s", config.forward().url());
    }

    /**
     * Trust for management-api's certificate comes from the Quarkus TLS registry, as in session-broker: the named
     * configuration {@value #TLS_CONFIGURATION} (application.properties; the trusted PEM file(s) come from
     * {@code quarkus.tls.management.trust-store.pem.certs}, env QUARKUS_TLS__MANAGEMENT__TRUST_STORE_PEM_CERTS).
     * The registry has already read the PEM file at start-up (a missing or unreadable one fails the start) and
     * refuses trust-all together with a trust store; no trust store and no trust-all means the JVM's default trust.
     * Plain http (tests) gets none: a TLS configuration would switch the client to TLS.
     */
    private QuarkusRestClientBuilder trust(QuarkusRestClientBuilder builder) {
        if (!"https".equalsIgnoreCase(URI.create(config.forward().url()).getScheme())) {
            return builder;
        }
        TlsConfiguration tls = tlsRegistry.get(TLS_CONFIGURATION).orElseThrow(() -> new IllegalStateException(
                "no TLS configuration quarkus.tls." + TLS_CONFIGURATION + ".* (application.properties defines it)"));
        if (tls.isTrustAll()) {
            LOG.warnf("INSECURE: quarkus.tls.%s.trust-all=true (CAM_DISCOVERY_FORWARD_TRUST_ALL) accepts any "
                    + "certificate from %s, so anyone on the path can pose as management-api and read the service "
                    + "token; trust its certificate or CA instead (QUARKUS_TLS__MANAGEMENT__TRUST_STORE_PEM_CERTS)",
                    TLS_CONFIGURATION, config.forward().url());
        } else if (tls.getTrustStore() != null) {
            LOG.infof("management-api's certificate is checked against %s (host-name verification %s)",
                    ConfigProvider.getConfig().getOptionalValue("quarkus.tls." + TLS_CONFIGURATION
                            + ".trust-store.pem.certs", String.class).orElse("the configured trust store"),
                    tls.getHostnameVerificationAlgorithm().orElse("HTTPS"));
        }
        return builder.tlsConfiguration(tls);
    }

    void stop(@Observes ShutdownEvent ev) {
        running = false;
        if (worker != null) {
            worker.interrupt();
        }
    }

    private void run() {
        String auth = config.forward().token().map(t -> "Bearer " + t).orElse(null);
        long backoff = 0;
        while (running) {
            try {
                DiscoveredDevice head = queue.peek(1, TimeUnit.SECONDS);
                if (head == null) {
                    continue;
                }
                Outcome outcome = send(auth, head);
                if (outcome == Outcome.RETRY) {
                    failures.increment();
                    backoff = backoff == 0 ? config.forward().initialBackoff().toMillis()
                            : Math.min(backoff * 2, config.forward().maxBackoff().toMillis());
                    // +-20% jitter so several replicas do not hammer a recovering management-api in step.
                    long jittered = (long) (backoff * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
                    Thread.sleep(Math.max(1, jittered));
                    continue;
                }
                backoff = 0;
                queue.delivered(head);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                LOG.error("forwarder loop failed; continuing", e);
            }
        }
    }

    private enum Outcome { DONE, RETRY }

    /** The chain's SSLException with the innermost cause (it alone says "Failed to create SSL connection"), or null. */
    private static String tlsFailure(Throwable e) {
        SSLException ssl = null;
        Throwable root = e;
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SSLException found && ssl == null) {
                ssl = found;
            }
            root = t;
        }
        return ssl == null ? null : ssl.getMessage() + (root == ssl ? "" : " (" + root + ")");
    }

    private Outcome send(String auth, DiscoveredDevice device) {
        int status;
        try (Response response = client.submit(auth, DiscoveryNotice.of(device))) {
            status = response.getStatus();
        } catch (RuntimeException e) {
            String tls = tlsFailure(e);
            if (tls != null && !tlsWarned) {
                // A certificate that is not trusted does not heal by waiting: say so once per streak, not per retry.
                tlsWarned = true;
                LOG.warnf("TLS to management-api %s failed (%s); device %s stays queued and is retried. Check "
                        + "quarkus.tls.%s.trust-store.pem.certs (QUARKUS_TLS__MANAGEMENT__TRUST_STORE_PEM_CERTS)",
                        config.forward().url(), tls, device.deviceId(), TLS_CONFIGURATION);
            } else {
                LOG.debugf("management-api unreachable (%s); device %s stays queued", e.getMessage(),
                        device.deviceId());
            }
            return Outcome.RETRY;
        }
        tlsWarned = false;
        if (status >= 200 && status < 300) {
            sent.increment();
            return Outcome.DONE;
        }
        if (PERMANENT.contains(status)) {
            rejected.increment();
            LOG.errorf("management-api rejected device %s version %d with HTTP %d; dropped", device.deviceId(),
                    device.version(), status);
            return Outcome.DONE;
        }
        LOG.debugf("management-api answered HTTP %d for device %s; retrying", status, device.deviceId());
        return Outcome.RETRY;
    }
}
