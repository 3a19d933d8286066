package org.cam.management.target.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.cam.management.device.Device;
import org.cam.management.device.DeviceChannel;
import org.cam.management.device.DeviceState;
import org.cam.management.device.DeviceStatus;
import org.cam.management.session.SessionState;
import org.cam.management.target.Target;
import org.cam.management.target.TargetKind;
import org.cam.management.target.TargetStatus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Computes target statuses for a page of targets with at most four queries, whatever the page size. */
@ApplicationScoped
public class TargetStatusService {

    /** The status and who is connected (ACTIVE sessions' users). */
    public record Status(TargetStatus status, List<String> activeUsers) {
        public String text() {
            return status == TargetStatus.REMOTE_ACTIVE_SESSION
                    ? status.label() + " (" + String.join(", ", activeUsers) + ")" : status.label();
        }
    }

    @Inject
    EntityManager em;

    @Inject
    TargetProbe probe;

    public Status of(Target t) {
        return of(List.of(t)).get(t.id);
    }

    public Map<Long, Status> of(Collection<Target> targets) {
        Map<Long, Status> out = new HashMap<>();
        if (targets.isEmpty()) {
            return out;
        }
        List<Long> ids = targets.stream().map(t -> t.id).toList();
        Map<Long, TreeSet<String>> users = new HashMap<>();
        em.createQuery("select s.targetId, s.username from KvmSession s where s.targetId in :ids and s.state = :active",
                        Object[].class)
                .setParameter("ids", ids).setParameter("active", SessionState.ACTIVE).getResultList()
                .forEach(r -> users.computeIfAbsent((Long) r[0], k -> new TreeSet<>()).add((String) r[1]));
        List<Long> deviceIds = targets.stream().map(t -> t.deviceId).filter(java.util.Objects::nonNull).distinct()
                .toList();
        Map<Long, Device> devices = deviceIds.isEmpty() ? new HashMap<>()
                : Device.<Device>list("id in ?1", deviceIds).stream().collect(Collectors.toMap(d -> d.id, d -> d));
        Map<Long, List<DeviceChannel>> channels = deviceIds.isEmpty() ? new HashMap<>()
                : DeviceChannel.<DeviceChannel>list("deviceId in ?1", deviceIds).stream()
                .collect(Collectors.groupingBy(c -> c.deviceId));
        // Behind a KVM switch one channel is shown at a time: our own ACTIVE sessions count at once, before the
        // next poll reports the device's viewers.
        List<Long> switched = devices.values().stream().filter(d -> d.switchAttached).map(d -> d.id).toList();
        Map<Long, List<Integer>> inUse = new HashMap<>();
        if (!switched.isEmpty()) {
            em.createQuery("select t.deviceId, t.channel from KvmSession s, Target t where s.targetId = t.id"
                            + " and s.state = :active and t.deviceId in :ids", Object[].class)
                    .setParameter("active", SessionState.ACTIVE).setParameter("ids", switched).getResultList()
                    .forEach(r -> inUse.computeIfAbsent((Long) r[0], k -> new ArrayList<>()).add((Integer) r[1]));
        }
        for (Target t : targets) {
            List<String> who = new ArrayList<>(users.getOrDefault(t.id, new TreeSet<>()));
            if (t.kind == TargetKind.RFB_ENDPOINT && probe.unreachable(t.id)) {
                out.put(t.id, new Status(TargetStatus.UNAVAILABLE, who));
                continue;
            }
            out.put(t.id, new Status(status(t, t.deviceId == null ? null : devices.get(t.deviceId),
                    t.deviceId == null ? List.of() : channels.getOrDefault(t.deviceId, List.of()),
                    t.deviceId == null ? List.of() : inUse.getOrDefault(t.deviceId, List.of()), who), who));
        }
        return out;
    }

    private static TargetStatus status(Target t, Device d, List<DeviceChannel> channels, List<Integer> inUse,
                                       List<String> who) {
        if (t.kind == TargetKind.DEVICE_CHANNEL) {
            if (d == null || d.state != DeviceState.MANAGED) {
                return TargetStatus.UNASSIGNED;
            }
            DeviceChannel own = channels.stream().filter(c -> c.channel.equals(t.channel)).findFirst().orElse(null);
            if (d.status == DeviceStatus.OFFLINE || (own != null && "off".equals(own.power))) {
                return TargetStatus.UNAVAILABLE;
            }
            if (d.status == DeviceStatus.UPDATING) {
                return TargetStatus.UPDATING_DEVICE;
            }
            if (d.switchAttached && (inUse.stream().anyMatch(c -> !c.equals(t.channel))
                    || channels.stream().anyMatch(c -> !c.channel.equals(t.channel) && c.sessions > 0))) {
                return TargetStatus.BUSY;
            }
        }
        return who.isEmpty() ? TargetStatus.AVAILABLE : TargetStatus.REMOTE_ACTIVE_SESSION;
    }
}
