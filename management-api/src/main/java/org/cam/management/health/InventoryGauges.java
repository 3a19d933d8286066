package org.cam.management.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.cam.management.alarm.Alarm;
import org.cam.management.device.Device;
import org.cam.management.device.DeviceState;
import org.cam.management.device.DeviceStatus;
import org.cam.management.identity.User;
import org.cam.management.session.KvmSession;
import org.cam.management.session.SessionState;
import org.cam.management.target.Target;

import java.util.concurrent.atomic.AtomicLong;

/**
 * cam_users / cam_users_enabled / cam_targets / cam_devices_managed / cam_devices_offline / cam_sessions_active /
 * cam_alarms_raised gauges, refreshed every 30 s (a scrape never touches the DB).
 */
@ApplicationScoped
public class InventoryGauges {
    private final AtomicLong users = new AtomicLong();
    private final AtomicLong enabledUsers = new AtomicLong();
    private final AtomicLong targets = new AtomicLong();
    private final AtomicLong devicesManaged = new AtomicLong();
    private final AtomicLong devicesOffline = new AtomicLong();
    private final AtomicLong sessionsActive = new AtomicLong();
    private final AtomicLong alarmsRaised = new AtomicLong();

    @Inject
    MeterRegistry registry;

    void register(@Observes StartupEvent ev) {
        Gauge.builder("cam.users", users, AtomicLong::get).description("users known to CAM").register(registry);
        Gauge.builder("cam.users.enabled", enabledUsers, AtomicLong::get).register(registry);
        Gauge.builder("cam.targets", targets, AtomicLong::get).description("targets").register(registry);
        Gauge.builder("cam.devices.managed", devicesManaged, AtomicLong::get).description("enrolled devices")
                .register(registry);
        Gauge.builder("cam.devices.offline", devicesOffline, AtomicLong::get).description("managed devices offline")
                .register(registry);
        Gauge.builder("cam.sessions.active", sessionsActive, AtomicLong::get).description("ACTIVE KVM sessions")
                .register(registry);
        Gauge.builder("cam.alarms.raised", alarmsRaised, AtomicLong::get).description("alarms not cleared")
                .register(registry);
        refresh();
    }

    @Scheduled(every = "30s", delayed = "30s")
    void refresh() {
        QuarkusTransaction.requiringNew().run(() -> {
            users.set(User.count());
            enabledUsers.set(User.count("enabled", true));
            targets.set(Target.count());
            devicesManaged.set(Device.count("state", DeviceState.MANAGED));
            devicesOffline.set(Device.count("state = ?1 and status = ?2", DeviceState.MANAGED, DeviceStatus.OFFLINE));
            sessionsActive.set(KvmSession.count("state", SessionState.ACTIVE));
            alarmsRaised.set(Alarm.count("state", Alarm.RAISED));
        });
    }
}
