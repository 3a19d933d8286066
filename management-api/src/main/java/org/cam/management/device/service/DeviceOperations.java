package org.cam.management.device.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.alarm.service.AlarmService;
import org.cam.management.common.ApiException;
import org.cam.management.common.RowLock;
import org.cam.management.common.SecretBox;
import org.cam.management.config.ManagementConfig;
import org.cam.management.device.Device;
import org.cam.management.device.DeviceOperation;
import org.cam.management.device.DeviceState;
import org.cam.management.device.DeviceStatus;
import org.cam.management.target.Target;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * The life of an operation on a managed device, shared by the configuration push ({@link DeviceConfiguration}),
 * firmware upgrades ({@link FirmwareUpgrades}), reboots and channel power ({@link DevicePower}).
 * <p>
 * One operation at a time per device, recorded on the device row (so every replica and the poller see it): while
 * it runs the device is UPDATING and its targets read "Updating device". A configuration push ends when the device
 * answers it; a firmware upgrade or reboot ends when the poller sees the device running the result
 * ({@link DevicePoller}). Device calls never run inside a transaction. Every operation is audited, failed ones too.
 */
@ApplicationScoped
public class DeviceOperations {
    public static final String OPERATION_TIMEOUT = "device.OPERATION_TIMEOUT:";

    /** What a device call needs, read in the transaction that began the operation. */
    record Link(long id, String mac, String label, String address, int port, String fingerprint, String secret) {
    }

    @Inject
    ManagementConfig config;

    @Inject
    DeviceClient client;

    @Inject
    DeviceService devices;

    @Inject
    SecretBox secrets;

    @Inject
    AlarmService alarms;

    /** Locks the device, checks it can take the operation, and records it as under way. */
    Link begin(long id, DeviceOperation op, String actor, Consumer<Device> check) {
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

    Device managed(long id) {
        Device d = locked(id);
        if (d.state != DeviceState.MANAGED) {
            throw ApiException.conflict("state", "device " + d.label() + " is " + d.state + ", not MANAGED");
        }
        return d;
    }

    Device locked(long id) {
        RowLock.lock(Device.getEntityManager(), "device", "id", id);
        return devices.get(id);
    }

    Link link(Device d) {
        return new Link(d.id, d.mac, d.label(), d.address, d.httpsPort, d.pinnedFingerprint,
                secrets.decrypt(d.secretEnc, d.secretContext()));
    }

    static Target target(Device d, int channel) {
        return Target.find("deviceId = ?1 and channel = ?2", d.id, channel).firstResult();
    }

    DeviceClient.Result call(Link l, String method, String path, Object body) {
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

    static String answer(DeviceClient.Result r) {
        return r.status() == 0 ? "unreachable (" + r.body() + ")" : r.status() + " " + truncate(r.body());
    }

    /** The device's own 4xx verdict is relayed as 409/422 (the request was fine here); anything else is a 502. */
    static ApiException refused(DeviceClient.Result r, String what) {
        if (r.status() == 422 || r.status() == 409) {
            return new ApiException(r.status(), r.status() == 422 ? "Unprocessable Content" : "Conflict",
                    what + ": " + answer(r), null);
        }
        return new ApiException(502, "Bad Gateway", what + ": " + answer(r), null);
    }

    static String truncate(String s) {
        return s == null || s.length() <= 1000 ? s : s.substring(0, 1000);
    }
}
