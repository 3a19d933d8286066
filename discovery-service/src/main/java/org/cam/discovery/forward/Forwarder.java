package org.cam.discovery.forward;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.cam.discovery.config.DiscoveryConfig;
import org.cam.discovery.device.DiscoveredDevice;
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
    /** The named TLS configuration for management-api (see {@link ManagementClients}). */
    static final String TLS_CONFIGURATION = ManagementClients.TLS_CONFIGURATION;

    @Inject
    DiscoveryConfig config;

    @Inject
    ForwardQueue queue;

    @Inject
    MeterRegistry meters;

    @Inject
    ManagementClients clients;

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
        client = clients.build(ManagementApiClient.class);
        running = true;
        worker = new Thread(this::run, "discovery-forwarder");
        worker.setDaemon(true);
        worker.start();
        LOG.infof("forwarding discoveries to %s", config.forward().url());
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
