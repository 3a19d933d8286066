package org.cam.management.device.service;

import static org.cam.management.device.service.DeviceOperations.answer;
import static org.cam.management.device.service.DeviceOperations.refused;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.device.Device;
import org.cam.management.device.DeviceChannel;
import org.cam.management.device.DeviceOperation;

import java.io.IOException;
import java.util.Map;

/**
 * Reboots (an operation, {@link DeviceOperations}: UPDATING until the device runs again) and channel power (immediate:
 * on, off, cycle of the server behind a channel).
 */
@ApplicationScoped
public class DevicePower {

    @Inject
    DeviceOperations operations;

    @Inject
    DeviceClient client;

    @Inject
    AuditService audit;

    /** Reboots the device (every KVM session on it drops); it is UPDATING until it runs again. */
    public void reboot(long id, String actor, String sourceAddress) {
        DeviceOperations.Link link = operations.begin(id, DeviceOperation.REBOOTING, actor, d -> { });
        DeviceClient.Result r = operations.call(link, "POST", "/api/v1/reboot", null);
        QuarkusTransaction.requiringNew().run(() -> {
            Device d = operations.locked(id);
            if (!r.ok()) {
                d.endOperation();
            }
            audit.record(actor, "DEVICE_REBOOT", "device", d.mac, r.ok() ? AuditService.SUCCESS : AuditService.FAILURE,
                    sourceAddress, "boot counter " + d.bootCounter + (r.ok() ? "" : ": device answered " + answer(r)));
        });
        if (!r.ok()) {
            throw refused(r, "the device did not accept the reboot");
        }
    }

    /** Switches a channel's target server on, off or through a power cycle; not an operation (it is immediate). */
    public void power(long id, int channel, String action, String actor, String sourceAddress) {
        DeviceOperations.Link link = QuarkusTransaction.requiringNew().call(() -> {
            Device d = operations.managed(id);
            if (channel < 1 || channel > d.channelCount) {
                throw ApiException.badRequest("channel", "channel must be 1.." + d.channelCount);
            }
            return operations.link(d);
        });
        DeviceClient.Result r = operations.call(link, "POST", "/api/v1/channels/" + channel + "/power",
                Map.of("action", action));
        String power = null;
        if (r.ok()) {
            try {
                power = client.parse(r).path("power").asText(null);
            } catch (IOException e) {
                power = null;   // the next poll reads it
            }
        }
        String now = power;
        QuarkusTransaction.requiringNew().run(() -> {
            Device d = operations.locked(id);
            d.powerSwitches++;   // a poll that asked before this switch must not write back what it read
            DeviceChannel c = DeviceChannel.find("deviceId = ?1 and channel = ?2", id, channel).firstResult();
            if (c != null && now != null) {
                c.power = now;
            }
            audit.record(actor, "CHANNEL_POWER", "device", link.mac(), r.ok() ? AuditService.SUCCESS
                    : AuditService.FAILURE, sourceAddress, "channel " + channel + " " + action
                    + (r.ok() ? " -> " + now : ": device answered " + answer(r)));
        });
        if (!r.ok()) {
            throw refused(r, "the device did not switch the power");
        }
    }
}
