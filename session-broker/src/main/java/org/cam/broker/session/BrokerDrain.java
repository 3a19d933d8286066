package org.cam.broker.session;

import io.quarkus.runtime.ShutdownEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cam.broker.BrokerConfig;
import org.cam.broker.relay.RelaySession;
import org.jboss.logging.Logger;

/**
 * The broker's drain on SIGTERM (a scale-down, a rolling update, a node drain): stops taking sessions, asks every
 * browser console whose session may resume to do so through another replica, lets the others (stock VNC clients,
 * whose password was single use) continue up to the grace, then ends them with reason broker_drained, and waits for
 * the end reports. Blocks the shutdown thread, which is what makes Quarkus wait (quarkus.shutdown.timeout must be
 * longer than the grace). Runs before the listeners close (priority 1).
 */
@ApplicationScoped
public class BrokerDrain {

    private static final Logger LOG = Logger.getLogger(BrokerDrain.class);

    private final BrokerConfig config;
    private final BrokerService sessions;
    private final EndReports reports;

    public BrokerDrain(BrokerConfig config, BrokerService sessions, EndReports reports) {
        this.config = config;
        this.sessions = sessions;
        this.reports = reports;
    }

    void onStop(@Observes @Priority(1) ShutdownEvent e) {
        drain();
    }

    public void drain() {
        if (!sessions.stopTakingSessions()) {
            return;
        }
        reports.draining();
        long deadline = System.nanoTime() + config.drainGrace().toNanos();
        LOG.infof("draining: %d active sessions; browser consoles resume elsewhere after %s, grace %s for the rest",
                sessions.activeCount(), config.drainResumeAfter(), config.drainGrace());
        // Readiness is down from now on: once the Service or proxy has seen it, a console that reconnects goes to a
        // replica that stays, not back here.
        waitFor(Math.min(config.drainResumeAfter().toMillis(), config.drainGrace().toMillis()));
        int resuming = 0;
        for (RelaySession s : sessions.activeSessions()) {
            if (s.resumeElsewhere(EndReason.BROKER_DRAINED)) {
                resuming++;
            }
        }
        LOG.infof("draining: %d browser consoles asked to resume elsewhere", resuming);
        while (sessions.activeCount() > 0 && System.nanoTime() < deadline) {
            waitFor(Math.min(200, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1));
        }
        for (RelaySession s : sessions.activeSessions()) {
            s.endAsync(EndReason.BROKER_DRAINED);
        }
        long endDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (sessions.activeCount() > 0 && System.nanoTime() < endDeadline) {
            waitFor(50);
        }
        // Every end is reported: wait for the reports in flight before the REST client goes away (bounded).
        LOG.infof("drained; %d end reports still unanswered", reports.awaitSent(Duration.ofSeconds(10)));
    }

    /** Waits on the shutdown thread (not an event loop: nothing else runs on it meanwhile). */
    static void waitFor(long millis) {
        CountDownLatch never = new CountDownLatch(1);
        try {
            never.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
