package org.cam.management.device.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.alarm.service.AlarmService;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.common.RowLock;
import org.cam.management.common.SecretBox;
import org.cam.management.config.ManagementConfig;
import org.cam.management.device.Device;
import org.cam.management.device.DeviceChannel;
import org.cam.management.device.DeviceOperation;
import org.cam.management.device.DeviceState;
import org.cam.management.device.DeviceStatus;
import org.cam.management.device.FirmwareJob;
import org.cam.management.target.Target;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What operators do to managed devices: configuration pushes, firmware upgrades, reboots and channel power.
 * <p>
 * One operation at a time per device, recorded on the device row (so every replica and the poller see it): while
 * it runs the device is UPDATING and its targets read "Updating device". A configuration push ends when the device
 * answers it; a firmware upgrade or reboot ends when the poller sees the device running the result
 * ({@link DevicePoller}). Device calls never run inside a transaction. Every operation is audited, failed ones too.
 */
@ApplicationScoped
public class DeviceOperations {
    public static final String FIRMWARE_FAILED = "device.FIRMWARE_FAILED:";
    public static final String OPERATION_TIMEOUT = "device.OPERATION_TIMEOUT:";

    /** A channel's new name. */
    public record ChannelName(int channel, String name) {
    }

    /** What a device call needs, read in the transaction that began the operation. */
    private record Link(long id, String mac, String label, String address, int port, String fingerprint,
                        String secret) {
    }

    @Inject
    ManagementConfig config;

    @Inject
    DeviceClient client;

    @Inject
    DeviceService devices;

    @Inject
    FirmwareLibrary library;

    @Inject
    SecretBox secrets;

    @Inject
    AlarmService alarms;

    @Inject
    AuditService audit;

    // ---- configuration ----------------------------------------------------------------------------------------

    /**
     * Pushes a new device name and/or channel names. The targets of the renamed channels take the new names once
     * the device has accepted them; a refusal changes nothing here (502 with the device's answer).
     */
    public void configure(long id, String name, List<ChannelName> channels, String actor, String sourceAddress) {
        List<ChannelName> renames = channels == null ? List.of() : channels;
        if (name == null && renames.isEmpty()) {
            throw ApiException.badRequest("channels", "nothing to change: give name and/or channels");
        }
        Link link = begin(id, DeviceOperation.CONFIGURING, actor, d -> {
            Set<Integer> seen = new HashSet<>();
            Set<String> names = new HashSet<>();
            for (int i = 0; i < renames.size(); i++) {
                ChannelName c = renames.get(i);
                if (c.channel() < 1 || c.channel() > d.channelCount) {
                    throw ApiException.badRequest("channels[" + i + "].channel", "channel must be 1.." + d.channelCount);
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
        DeviceClient.Result r = call(link, "PUT", "/api/v1/config", body);
        String what = (name == null ? "" : "name=" + name + " ") + renames.stream()
                .map(c -> "channel " + c.channel() + "=" + c.name()).reduce((a, b) -> a + " " + b).orElse("")
                + (r.ok() ? " " + devices.channelSecurityApplied(r) : "");
        QuarkusTransaction.requiringNew().run(() -> {
            Device d = locked(id);
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

    // ---- firmware ---------------------------------------------------------------------------------------------

    /**
     * Starts a firmware upgrade with an image of the library: uploads it with its SHA-256 (the device checks it),
     * then the poller follows the device writing it and rebooting into {@code version}. {@code expectedSha256},
     * when given, must match the library's image (the operator's check that the file is the one released).
     */
    public FirmwareJob upgrade(long id, String image, String version, String expectedSha256, String actor,
                               String sourceAddress) {
        FirmwareLibrary.Image img = library.get(image);
        if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(img.sha256())) {
            throw new ApiException(422, "Unprocessable Content", "image " + image + " has SHA-256 " + img.sha256()
                    + ", not " + expectedSha256.toLowerCase(), "sha256");
        }
        Link link = begin(id, DeviceOperation.FIRMWARE, actor, d -> { });
        long jobId = QuarkusTransaction.requiringNew().call(() -> {
            FirmwareJob j = new FirmwareJob();
            j.deviceId = id;
            j.image = img.name();
            j.version = version;
            j.sha256 = img.sha256();
            j.sizeBytes = img.sizeBytes();
            j.state = FirmwareJob.State.UPLOADING;
            j.requestedBy = actor;
            j.createdAt = Instant.now();
            j.persist();
            return j.id;
        });
        DeviceClient.Result r;
        try {
            r = client.upload(link.address(), link.port(), link.fingerprint(), link.secret(), "/api/v1/firmware?version="
                            + URLEncoder.encode(version, StandardCharsets.UTF_8) + "&sha256=" + img.sha256(),
                    library.path(img), config.devices().operationRequestTimeout());
        } catch (IOException e) {
            r = new DeviceClient.Result(0, String.valueOf(e.getMessage()));
        }
        DeviceClient.Result result = r;
        FirmwareJob job = QuarkusTransaction.requiringNew().call(() -> {
            FirmwareJob j = FirmwareJob.findById(jobId);
            Device d = locked(id);
            if (result.ok()) {
                j.state = FirmwareJob.State.WRITING;
                audit.record(actor, "FIRMWARE_UPGRADE", "device", d.mac, AuditService.SUCCESS, sourceAddress,
                        "job " + j.id + " image=" + j.image + " version=" + version + " sha256=" + j.sha256
                                + " from " + d.firmwareVersion);
            } else {
                j.state = FirmwareJob.State.FAILED;
                j.detail = truncate("upload refused: " + answer(result));
                j.finishedAt = Instant.now();
                d.endOperation();
                audit.record(actor, "FIRMWARE_UPGRADE", "device", d.mac, AuditService.FAILURE, sourceAddress,
                        "job " + j.id + " image=" + j.image + " version=" + version + ": " + j.detail);
            }
            return j;
        });
        if (!result.ok()) {
            throw refused(result, "the device refused the firmware image");
        }
        return job;
    }

    public List<FirmwareJob> jobs(long id) {
        devices.get(id);
        return FirmwareJob.list("deviceId = ?1 order by id desc", id);
    }

    // ---- reboot and power -------------------------------------------------------------------------------------

    /** Reboots the device (every KVM session on it drops); it is UPDATING until it runs again. */
    public void reboot(long id, String actor, String sourceAddress) {
        Link link = begin(id, DeviceOperation.REBOOTING, actor, d -> { });
        DeviceClient.Result r = call(link, "POST", "/api/v1/reboot", null);
        QuarkusTransaction.requiringNew().run(() -> {
            Device d = locked(id);
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
        Link link = QuarkusTransaction.requiringNew().call(() -> {
            Device d = managed(id);
            if (channel < 1 || channel > d.channelCount) {
                throw ApiException.badRequest("channel", "channel must be 1.." + d.channelCount);
            }
            return link(d);
        });
        DeviceClient.Result r = call(link, "POST", "/api/v1/channels/" + channel + "/power", Map.of("action", action));
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
            Device d = locked(id);
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

    // ---- common -----------------------------------------------------------------------------------------------

    /** Locks the device, checks it can take the operation, and records it as under way. */
    private Link begin(long id, DeviceOperation op, String actor, Consumer<Device> check) {
        return QuarkusTransaction.requiringNew().call(() -> {
            Device d = managed(id);
            if (d.operation != null) {
                throw ApiException.conflict("operation", "device " + d.label() + " is busy: " + d.operationText());
            }
            if (d.status == DeviceStatus.OFFLINE) {
                throw ApiException.conflict("status", "device " + d.label() + " is offline: " + d.lastError);
            }
            check.accept(d);
            d.beginOperation(op, actor);
            return link(d);
        });
    }

    private Device managed(long id) {
        Device d = locked(id);
        if (d.state != DeviceState.MANAGED) {
            throw ApiException.conflict("state", "device " + d.label() + " is " + d.state + ", not MANAGED");
        }
        return d;
    }

    private Device locked(long id) {
        RowLock.lock(Device.getEntityManager(), "device", "id", id);
        return devices.get(id);
    }

    private Link link(Device d) {
        return new Link(d.id, d.mac, d.label(), d.address, d.httpsPort, d.pinnedFingerprint,
                secrets.decrypt(d.secretEnc, d.secretContext()));
    }

    private static Target target(Device d, int channel) {
        return Target.find("deviceId = ?1 and channel = ?2", d.id, channel).firstResult();
    }

    private DeviceClient.Result call(Link l, String method, String path, Object body) {
        try {
            return client.callSync(l.address(), l.port(), l.fingerprint(), l.secret(), method, path, body,
                    config.devices().operationRequestTimeout());
        } catch (DeviceClient.PinMismatchException e) {
            alarms.raiseNow(new AlarmService.Raise(AlarmService.SELF, DeviceService.CERT_MISMATCH + l.mac(),
                    "CRITICAL", "device", l.mac(), "device " + l.label() + " presented another certificate: "
                    + e.getMessage()));
            return new DeviceClient.Result(0, e.getMessage());
        } catch (IOException e) {
            return new DeviceClient.Result(0, String.valueOf(e.getMessage()));
        }
    }

    private static String answer(DeviceClient.Result r) {
        return r.status() == 0 ? "unreachable (" + r.body() + ")" : r.status() + " " + truncate(r.body());
    }

    /** The device's own 4xx verdict is relayed as 409/422 (the request was fine here); anything else is a 502. */
    private static ApiException refused(DeviceClient.Result r, String what) {
        if (r.status() == 422 || r.status() == 409) {
            return new ApiException(r.status(), r.status() == 422 ? "Unprocessable Content" : "Conflict",
                    what + ": " + answer(r), null);
        }
        return new ApiException(502, "Bad Gateway", what + ": " + answer(r), null);
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 1000 ? s : s.substring(0, 1000);
    }
}
