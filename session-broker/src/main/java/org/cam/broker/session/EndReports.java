package org.cam.broker.session;

import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.cam.broker.BrokerConfig;
import org.cam.broker.management.EndReport;
import org.cam.broker.management.ManagementApi;
import org.cam.broker.relay.RelaySession;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * Every session's end goes to management-api as an end report: bytes, reason, the leg, whether the console was asked
 * to resume, and for a recorded session the recording's final digest (which the SESSION_END audit event keeps), so a
 * recorded session's report waits for its writer. A report that fails is retried with a back-off; while draining,
 * at once (the process is about to exit), and the drain waits for the reports in flight.
 */
@ApplicationScoped
public class EndReports {

    private static final Logger LOG = Logger.getLogger(EndReports.class);

    private final BrokerConfig config;
    private final Vertx vertx;
    private final ManagementApi management;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    public EndReports(BrokerConfig config, Vertx vertx, @RestClient ManagementApi management) {
        this.config = config;
        this.vertx = vertx;
        this.management = management;
    }

    /** Reports {@code s}'s end (once its recording, if any, is closed). */
    public void report(RelaySession s, EndReason reason) {
        Instant endedAt = Instant.now();
        CompletableFuture<EndReport.RecordingOutcome> recording = s.recordingOutcome();
        if (recording == null) {
            send(s.sessionId(), new EndReport(config.brokerId(), reason.wire(), s.bytesFromClient(),
                    s.bytesFromDevice(), endedAt, s.claim().leg(), s.askedToResume()), 1);
            return;
        }
        inFlight.incrementAndGet();
        recording.whenComplete((outcome, t) -> {
            EndReport.RecordingOutcome o = t == null ? outcome
                    : new EndReport.RecordingOutcome(null, 0, 0, 0, false, String.valueOf(t.getMessage()));
            vertx.runOnContext(v -> {
                send(s.sessionId(), new EndReport(config.brokerId(), reason.wire(), s.bytesFromClient(),
                        s.bytesFromDevice(), endedAt, o, s.claim().leg(), s.askedToResume()), 1);
                inFlight.decrementAndGet();
            });
        });
    }

    private void send(String sessionId, EndReport report, int attempt) {
        if (attempt == 1) {
            inFlight.incrementAndGet();
        }
        management.end(sessionId, report).subscribe().with(v -> inFlight.decrementAndGet(), t -> {
            if (attempt < 5 && !draining) {
                vertx.setTimer(1000L << attempt, id -> send(sessionId, report, attempt + 1));
            } else if (attempt < 3) {
                // Draining: the process is about to exit, retry at once (twice) rather than after a backoff.
                send(sessionId, report, attempt + 1);
            } else {
                inFlight.decrementAndGet();
                LOG.warnf("session %s: end report lost after %d attempts: %s", sessionId, attempt, t.getMessage());
            }
        });
    }

    /** From now on failed reports are retried at once, not after a back-off. */
    void draining() {
        draining = true;
    }

    /** Waits (bounded) until no report is in flight; how many still are. */
    int awaitSent(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            BrokerDrain.waitFor(50);
        }
        return inFlight.get();
    }
}
