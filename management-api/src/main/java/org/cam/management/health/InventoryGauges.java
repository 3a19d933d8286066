package org.cam.management.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.cam.management.identity.User;
import org.cam.management.target.Target;

import java.util.concurrent.atomic.AtomicLong;

/** cam_users / cam_users_enabled / cam_targets gauges, refreshed every 30 s (a scrape never touches the DB). */
@ApplicationScoped
public class InventoryGauges {
    private final AtomicLong users = new AtomicLong();
    private final AtomicLong enabledUsers = new AtomicLong();
    private final AtomicLong targets = new AtomicLong();

    @Inject
    MeterRegistry registry;

    void register(@Observes StartupEvent ev) {
        Gauge.builder("cam.users", users, AtomicLong::get).description("users known to CAM").register(registry);
        Gauge.builder("cam.users.enabled", enabledUsers, AtomicLong::get).register(registry);
        Gauge.builder("cam.targets", targets, AtomicLong::get).description("targets").register(registry);
        refresh();
    }

    @Scheduled(every = "30s", delayed = "30s")
    void refresh() {
        QuarkusTransaction.requiringNew().run(() -> {
            users.set(User.count());
            enabledUsers.set(User.count("enabled", true));
            targets.set(Target.count());
        });
    }
}
