package org.cam.management.device.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.cam.management.alarm.service.AlarmService;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.RowLock;
import org.cam.management.common.SecretBox;
import org.cam.management.device.Device;
import org.cam.management.device.DeviceState;
import org.cam.management.target.Target;
import org.jboss.logging.Logger;

/**
 * A MANAGED device that discovery heard at another endpoint moves only once it has proven itself there over the
 * pinned channel; until then it stays where it was (an operator's re-approval also accepts the move).
 */
@ApplicationScoped
public class DeviceMoves {
    private static final Logger LOG = Logger.getLogger(DeviceMoves.class);

    @Inject
    DeviceClient client;

    @Inject
    SecretBox secrets;

    @Inject
    AlarmService alarms;

    @Inject
    AuditService audit;

    @Inject
    DeviceService devices;

    private record Move(long id, String mac, String label, String address, int httpsPort, int kvmFirst, int kvmLast,
                        String pin, String secret) {
    }

    /** Devices whose announced move is being checked now (one check per device at a time, per replica). */
    private final Set<Long> moving = ConcurrentHashMap.newKeySet();

    /**
     * Checks an announced move in the background: the device must answer at the new endpoint with the pinned
     * certificate, accept its device secret and report its own MAC. Only then do the device and its targets move;
     * otherwise nothing changes, the refusal is audited and an alarm tells an operator (re-approving accepts it).
     */
    public void confirmMoveLater(long id) {
        if (!moving.add(id)) {
            return;
        }
        devices.later(() -> {
            try {
                confirmMove(id);
            } catch (RuntimeException e) {
                LOG.errorf(e, "checking the move of device %d failed", id);
            } finally {
                moving.remove(id);
            }
        });
    }

    void confirmMove(long id) {
        Move m = QuarkusTransaction.requiringNew().call(() -> {
            Device d = Device.findById(id);
            if (d == null || d.state != DeviceState.MANAGED || d.pendingAddress == null) {
                return null;
            }
            String secret;
            try {
                secret = secrets.decrypt(d.secretEnc, d.secretContext());
            } catch (RuntimeException e) {
                secret = null;
            }
            return new Move(d.id, d.mac, d.label(), d.pendingAddress, d.pendingHttpsPort, d.pendingKvmPortFirst,
                    d.pendingKvmPortLast, d.pinnedFingerprint, secret);
        });
        if (m == null) {
            return;
        }
        String failure = proveIdentity(m.mac(), m.address(), m.httpsPort(), m.pin(), m.secret());
        QuarkusTransaction.requiringNew().run(() -> {
            RowLock.lock(Device.getEntityManager(), "device", "id", id);
            Device d = Device.findById(id);
            if (d == null || !m.address().equals(d.pendingAddress) || m.httpsPort() != d.pendingHttpsPort
                    || m.kvmFirst() != d.pendingKvmPortFirst || m.kvmLast() != d.pendingKvmPortLast) {
                return;   // another announcement came meanwhile: its own check decides
            }
            String to = d.pendingEndpoint();
            if (failure != null) {
                audit.record(AlarmService.SELF, "DEVICE_MOVE", "device", d.mac, AuditService.FAILURE, null,
                        "announced move to " + to + " not applied: " + failure);
                alarms.raise(new AlarmService.Raise(AlarmService.SELF, DeviceService.MOVE + d.mac, "CRITICAL", "device",
                        d.mac, "device " + d.label() + " was announced at " + to + " but did not prove itself there ("
                                + failure + "); it stays at " + d.address + ":" + d.httpsPort
                                + " (re-approve it to accept the new address)"));
                return;
            }
            String from = d.address + ":" + d.httpsPort + " kvm " + d.kvmPortFirst + "-" + d.kvmPortLast;
            d.applyPendingEndpoint();
            moveTargets(d);
            client.pinned(d.address, d.httpsPort, d.pinnedFingerprint);
            audit.record(AlarmService.SELF, "DEVICE_MOVE", "device", d.mac, AuditService.SUCCESS, null,
                    "from " + from + " to " + to + ", proven over the pinned channel");
            alarms.clear(AlarmService.SELF, DeviceService.MOVE + d.mac, "the device proved itself at " + to);
        });
    }

    /** Null when the device at address:port has the pinned certificate, takes the secret and is {@code mac}. */
    private String proveIdentity(String mac, String address, int port, String pin, String secret) {
        if (secret == null || pin == null) {
            return "no device secret or pin to check it with";
        }
        try {
            DeviceClient.Result r = client.callSync(address, port, pin, secret, "GET", "/api/v1/status", null);
            if (r.status() == 401) {
                return "it refused the device secret";
            }
            if (!r.ok()) {
                return "its status answered " + r.status();
            }
            return devices.sameDevice(mac, r);
        } catch (DeviceClient.PinMismatchException e) {
            return "it presented another certificate than the pinned one";
        } catch (IOException e) {
            return "unreachable: " + e.getMessage();
        }
    }

    /** A device's targets follow it to its new address and KVM ports. */
    static void moveTargets(Device d) {
        for (Target t : Target.<Target>list("deviceId", d.id)) {
            t.host = d.address;
            t.port = d.kvmPortFirst + t.channel - 1;
        }
    }
}
