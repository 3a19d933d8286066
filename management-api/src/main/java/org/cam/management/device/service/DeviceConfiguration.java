package org.cam.management.device.service;

import static org.cam.management.device.service.DeviceOperations.answer;
import static org.cam.management.device.service.DeviceOperations.refused;
import static org.cam.management.device.service.DeviceOperations.target;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.device.Device;
import org.cam.management.device.DeviceOperation;
import org.cam.management.target.Target;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Configuration pushes: a device's name and its channels' names, with the channel security settings every push
 * carries. An operation ({@link DeviceOperations}): the device is UPDATING until it answers.
 */
@ApplicationScoped
public class DeviceConfiguration {

    /** A channel's new name. */
    public record ChannelName(int channel, String name) {
    }

    @Inject
    DeviceOperations operations;

    @Inject
    DeviceService devices;

    @Inject
    AuditService audit;

    /**
     * Pushes a new device name and/or channel names. The targets of the renamed channels take the new names once
     * the device has accepted them; a refusal changes nothing here (502 with the device's answer).
     */
    public void configure(long id, String name, List<ChannelName> channels, String actor, String sourceAddress) {
        List<ChannelName> renames = channels == null ? List.of() : channels;
        if (name == null && renames.isEmpty()) {
            throw ApiException.badRequest("channels", "nothing to change: give name and/or channels");
        }
        DeviceOperations.Link link = operations.begin(id, DeviceOperation.CONFIGURING, actor, d -> {
            Set<Integer> seen = new HashSet<>();
            Set<String> names = new HashSet<>();
            for (int i = 0; i < renames.size(); i++) {
                ChannelName c = renames.get(i);
                if (c.channel() < 1 || c.channel() > d.channelCount) {
                    throw ApiException.badRequest("channels[" + i + "].channel",
                            "channel must be 1.." + d.channelCount);
                }
                if (!seen.add(c.channel())) {
                    throw ApiException.badRequest("channels[" + i + "].channel", "channel " + c.channel() + " twice");
                }
                if (!names.add(c.name())) {
                    throw ApiException.badRequest("channels[" + i + "].name", "name " + c.name() + " twice");
                }
                Target t = target(d, c.channel());
                if (Target.count("name = ?1 and id <> ?2", c.name(), t == null ? -1L : t.id) > 0) {
                    throw ApiException.conflict("channels[" + i + "].name", "a target named " + c.name() + " exists");
                }
            }
        });
        // Every push also carries the channel security settings: devices enrolled before them, or before the
        // brokers' addresses changed, catch up with the next push.
        Map<String, Object> body = new LinkedHashMap<>(devices.channelSecurity());
        if (name != null) {
            body.put("name", name);
        }
        if (!renames.isEmpty()) {
            body.put("channels", renames.stream().map(c -> Map.of("channel", c.channel(), "name", c.name())).toList());
        }
        DeviceClient.Result r = operations.call(link, "PUT", "/api/v1/config", body);
        String what = (name == null ? "" : "name=" + name + " ") + renames.stream()
                .map(c -> "channel " + c.channel() + "=" + c.name()).reduce((a, b) -> a + " " + b).orElse("")
                + (r.ok() ? " " + devices.channelSecurityApplied(r) : "");
        QuarkusTransaction.requiringNew().run(() -> {
            Device d = operations.locked(id);
            d.endOperation();
            if (r.ok()) {
                if (name != null) {
                    d.name = name;
                }
                for (ChannelName c : renames) {
                    Target t = target(d, c.channel());
                    if (t != null) {
                        t.name = c.name();
                    }
                }
            }
            audit.record(actor, "DEVICE_CONFIGURE", "device", d.mac, r.ok() ? AuditService.SUCCESS
                    : AuditService.FAILURE, sourceAddress, what + (r.ok() ? "" : " device answered " + answer(r)));
        });
        if (!r.ok()) {
            throw refused(r, "the device did not accept the configuration");
        }
    }
}
