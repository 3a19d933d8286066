package org.cam.management.health;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.cam.management.common.ApiException;
import org.cam.management.config.ManagementConfig;
import org.cam.management.identity.ldap.LdapService;
import org.cam.management.identity.ldap.LdapSyncService;
import org.jboss.logging.Logger;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The first LDAP sync, started with the service: until it succeeded the service is not ready (LdapReadiness), so the
 * directory's groups, and the grants made to them, exist before anyone logs in. Retried with a jittered back-off
 * (1 s doubling to 30 s) while the directory does not answer or another sync runs.
 */
@ApplicationScoped
public class FirstLdapSync {
    private static final Logger LOG = Logger.getLogger(FirstLdapSync.class);

    @Inject
    ManagementConfig config;

    @Inject
    LdapService ldap;

    @Inject
    LdapSyncService sync;

    private volatile boolean done;
    private volatile String lastError = "not run yet";
    private ScheduledExecutorService executor;

    void start(@Observes StartupEvent e) {
        if (!ldap.enabled() || !config.ldap().syncAtStart()) {
            done = true;
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ldap-first-sync");
            t.setDaemon(true);
            return t;
        });
        executor.execute(() -> attempt(1000));
    }

    void stop(@Observes ShutdownEvent e) {
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    private void attempt(long backoffMillis) {
        // The sync's transaction needs a request context, as the scheduler gives its own runs.
        io.quarkus.arc.ManagedContext requestContext = io.quarkus.arc.Arc.container().requestContext();
        requestContext.activate();
        try {
            LdapSyncService.Report r = sync.run(false, "STARTUP", "system", null);
            if ("SUCCESS".equals(r.outcome())) {
                done = true;
                LOG.infof("first LDAP sync done: %d users, %d groups created", r.usersCreated().size(),
                        r.groupsCreated().size());
                return;
            }
            lastError = r.message();
        } catch (ApiException | IllegalStateException ex) {
            lastError = ex.getMessage();
        } catch (RuntimeException ex) {
            lastError = String.valueOf(ex.getMessage());
            LOG.warnf("first LDAP sync failed: %s", ex.getMessage());
        } finally {
            requestContext.terminate();
        }
        long next = Math.min(30_000, backoffMillis * 2);
        long delay = backoffMillis / 2 + ThreadLocalRandom.current().nextLong(backoffMillis / 2 + 1);
        if (!executor.isShutdown()) {
            executor.schedule(() -> attempt(next), delay, TimeUnit.MILLISECONDS);
        }
    }

    /** True once the first sync succeeded (or none is wanted). */
    public boolean done() {
        return done;
    }

    public String lastError() {
        return lastError;
    }
}
