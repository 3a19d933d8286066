package org.cam.management.device.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.cam.management.access.Grant;
import org.cam.management.alarm.service.AlarmService;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.common.RowLock;
import org.cam.management.common.SecretBox;
import org.cam.management.config.ManagementConfig;
import org.cam.management.device.Device;
import org.cam.management.device.DeviceChannel;
import org.cam.management.device.DeviceState;
import org.cam.management.device.DeviceStatus;
import org.cam.management.identity.UserGroup;
import org.cam.management.target.Target;
import org.cam.management.target.TargetKind;
import org.cam.management.target.TargetSet;
import org.jboss.logging.Logger;

/**
 * Approval of a device, by an operator or auto-approve: the device is enrolled (new secret, per-channel session
 * credentials, names), its certificate pinned and one target created per channel. Device calls never run inside a
 * transaction: a device can take seconds to answer.
 */
@ApplicationScoped
public class DeviceEnrolment {
    private static final Logger LOG = Logger.getLogger(DeviceEnrolment.class);

    @Inject
    ManagementConfig config;

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

    private record Snapshot(long id, String mac, String label, String address, int httpsPort, String fingerprint,
                            String secret, int channels, boolean wasManaged) {
    }

    /** Devices being enrolled now (one enrolment per device at a time, per replica). */
    private final Set<Long> enrolling = ConcurrentHashMap.newKeySet();

    /**
     * Approves and enrols: over HTTPS pinned to the advertised fingerprint, sets a new device secret, the
     * per-channel session credentials and channel names, then creates one DEVICE_CHANNEL target per channel.
     * On a MANAGED device this re-enrols (rotates secret and credentials, re-pins the advertised certificate after
     * a legitimate change); it stays MANAGED, its targets show "Updating device" meanwhile and are kept.
     */
    public Device approve(long id, String actor, String sourceAddress) {
        if (!enrolling.add(id)) {
            throw ApiException.conflict("id", "device " + id + " is being enrolled right now");
        }
        try {
            return enrol(id, actor, sourceAddress);
        } finally {
            enrolling.remove(id);
        }
    }

    /** Enrols in the background (auto-approve); failures stay on the device as PENDING with last_error. */
    public void approveLater(long id) {
        devices.later(() -> {
            try {
                approve(id, "auto-approve", null);
            } catch (ApiException e) {
                LOG.warnf("auto-approve of device %d failed: %s", id, e.getMessage());
            } catch (RuntimeException e) {
                LOG.errorf(e, "auto-approve of device %d failed", id);
            }
        });
    }

    private Device enrol(long id, String actor, String sourceAddress) {
        Snapshot s = QuarkusTransaction.requiringNew().call(() -> {
            RowLock.lock(Device.getEntityManager(), "device", "id", id);
            Device d = Device.findById(id);
            if (d == null) {
                throw ApiException.notFound("device", id);
            }
            boolean wasManaged = d.state == DeviceState.MANAGED;
            if (wasManaged) {
                if (d.operation != null) {
                    throw ApiException.conflict("operation", "device " + d.label() + " is busy: "
                            + d.operationText());
                }
                // Re-enrolment is a configuration push like any other: one operation at a time, seen by the poller.
                d.beginOperation(org.cam.management.device.DeviceOperation.CONFIGURING, actor);
            } else {
                d.state = DeviceState.PENDING;
            }
            d.lastError = null;
            audit.record(actor, wasManaged ? "DEVICE_REENROL" : "DEVICE_APPROVE", "device", d.mac,
                    AuditService.SUCCESS, sourceAddress, DeviceService.describe(d));
            String secret;
            try {
                secret = secrets.decrypt(d.secretEnc, d.secretContext());
            } catch (IllegalStateException e) {
                secret = null;   // stored under another key: only the bootstrap credential can help now
            }
            // Re-approving a managed device with an announced move is the operator accepting it.
            String address = d.pendingAddress != null ? d.pendingAddress : d.address;
            int port = d.pendingHttpsPort != null ? d.pendingHttpsPort : d.httpsPort;
            return new Snapshot(d.id, d.mac, d.label(), address, port, d.advertisedFingerprint, secret,
                    d.channelCount, wasManaged);
        });
        String newSecret = SecretBox.randomText(32);
        List<String> creds = new ArrayList<>();
        List<Map<String, Object>> channels = new ArrayList<>();
        String security;
        try {
            String credential = s.secret() != null ? s.secret() : config.devices().bootstrapPassword();
            DeviceClient.Result st = get(s, credential, "/api/v1/status");
            if (st.status() == 401 && s.secret() != null) {
                credential = config.devices().bootstrapPassword();   // factory reset since our last enrolment
                st = get(s, credential, "/api/v1/status");
            }
            if (st.status() == 401) {
                throw enrolFailed(s, actor, sourceAddress, 409, "credential",
                        "the device refuses the bootstrap credential (enrolled by another manager? reset it)");
            }
            if (!st.ok()) {
                throw enrolFailed(s, actor, sourceAddress, 502, null, "device status answered " + st.status());
            }
            String other = devices.sameDevice(s.mac(), st);
            if (other != null) {
                // Discovery said this MAC; the device says otherwise: never enrol it under a name it does not have.
                throw enrolFailed(s, actor, sourceAddress, 409, "deviceId", "the device is not " + s.mac() + ": "
                        + other);
            }
            DeviceClient.Result e = client.callSync(s.address(), s.httpsPort(), s.fingerprint(), credential, "POST",
                    "/api/v1/enrol", Map.of("deviceSecret", newSecret));
            if (!e.ok()) {
                throw enrolFailed(s, actor, sourceAddress, 502, null, "device enrolment answered " + e.status()
                        + ": " + e.body());
            }
            // Keep the secret at once: the device now accepts nothing else.
            QuarkusTransaction.requiringNew().run(() -> {
                // locked first: the poller may be writing a re-enrolled device's status right now
                RowLock.lock(Device.getEntityManager(), "device", "id", s.id());
                Device d = Device.findById(s.id());
                d.secretEnc = secrets.encrypt(newSecret, d.secretContext());
            });
            for (int c = 1; c <= s.channels(); c++) {
                String cred = SecretBox.randomText(8);   // VNC Authentication uses 8 characters
                creds.add(cred);
                channels.add(Map.of("channel", c, "name", channelName(s.label(), c), "password", cred));
            }
            Map<String, Object> body = new java.util.LinkedHashMap<>(devices.channelSecurity());
            body.put("channels", channels);
            DeviceClient.Result cfg = client.callSync(s.address(), s.httpsPort(), s.fingerprint(), newSecret, "PUT",
                    "/api/v1/config", body);
            if (!cfg.ok()) {
                throw enrolFailed(s, actor, sourceAddress, 502, null, "device configuration answered "
                        + cfg.status() + ": " + cfg.body());
            }
            security = devices.channelSecurityApplied(cfg);
            if (!security.startsWith("sessionCredentialsOnly=true")) {
                LOG.warnf("device %s: %s", s.label(), security);
            }
        } catch (DeviceClient.PinMismatchException e) {
            alarms.raiseNow(new AlarmService.Raise(AlarmService.SELF, DeviceService.CERT_MISMATCH + s.mac(), "CRITICAL",
                    "device", s.mac(), "enrolment of " + s.label() + " refused: " + e.getMessage()));
            throw enrolFailed(s, actor, sourceAddress, 409, "certificateFingerprint",
                    "the device's certificate does not match the fingerprint it advertised: " + e.getMessage());
        } catch (IOException e) {
            throw enrolFailed(s, actor, sourceAddress, 502, null, "device unreachable: " + e.getMessage());
        }
        String applied = security;
        return QuarkusTransaction.requiringNew().call(() -> managed(s, creds, applied, actor, sourceAddress));
    }

    private DeviceClient.Result get(Snapshot s, String credential, String path) throws IOException {
        return client.callSync(s.address(), s.httpsPort(), s.fingerprint(), credential, "GET", path, null);
    }

    private ApiException enrolFailed(Snapshot s, String actor, String sourceAddress, int status, String field,
                                     String detail) {
        QuarkusTransaction.requiringNew().run(() -> {
            RowLock.lock(Device.getEntityManager(), "device", "id", s.id());
            Device d = Device.findById(s.id());
            d.lastError = detail.length() > 1000 ? detail.substring(0, 1000) : detail;
            if (s.wasManaged()) {
                d.endOperation();   // unchanged on the device side; the next poll tells the truth
            }
            audit.record(actor, "DEVICE_ENROL", "device", s.mac(), AuditService.FAILURE, sourceAddress, detail);
        });
        return new ApiException(status, status == 502 ? "Bad Gateway" : "Conflict", detail, field);
    }

    private Device managed(Snapshot s, List<String> creds, String security, String actor, String sourceAddress) {
        RowLock.lock(Device.getEntityManager(), "device", "id", s.id());
        Device d = Device.findById(s.id());
        d.state = DeviceState.MANAGED;
        d.pinnedFingerprint = s.fingerprint();
        client.pinned(s.address(), s.httpsPort(), s.fingerprint());
        if (d.pendingAddress != null && d.pendingAddress.equals(s.address())
                && d.pendingHttpsPort == s.httpsPort()) {
            String to = d.pendingEndpoint();
            d.applyPendingEndpoint();
            DeviceMoves.moveTargets(d);
            audit.record(actor, "DEVICE_MOVE", "device", d.mac, AuditService.SUCCESS, sourceAddress,
                    "to " + to + ", accepted by re-approval");
            alarms.clear(AlarmService.SELF, DeviceService.MOVE + d.mac, "re-approved at " + to);
        }
        d.endOperation();
        d.status = DeviceStatus.ONLINE;
        d.missedPolls = 0;
        d.lastError = null;
        TargetSet set = config.devices().targetSet().map(DeviceEnrolment::targetSet).orElse(null);
        for (int c = 1; c <= s.channels(); c++) {
            final int ch = c;
            Target t = Target.<Target>find("deviceId = ?1 and channel = ?2", d.id, c).firstResult();
            if (t == null) {
                t = new Target();
                t.kind = TargetKind.DEVICE_CHANNEL;
                t.name = uniqueTargetName(channelName(s.label(), c), d.mac, c);
                t.description = "channel " + c + " of " + d.model + " " + d.serial + " (" + d.mac + ")";
                t.deviceId = d.id;
                t.channel = c;
                t.accessPolicy = config.devices().defaultPolicy();
                t.host = d.address;
                t.port = d.kvmPortFirst + c - 1;
                t.persist();
                audit.record(actor, "TARGET_CREATE", "target", t.id, AuditService.SUCCESS, sourceAddress,
                        "name=" + t.name + " device=" + d.mac + " channel=" + c);
            }
            if (set != null) {
                set.targets.add(t);
            }
            DeviceChannel dc = DeviceChannel.<DeviceChannel>find("deviceId = ?1 and channel = ?2", d.id, ch)
                    .firstResult();
            if (dc == null) {
                dc = new DeviceChannel();
                dc.deviceId = d.id;
                dc.channel = c;
                dc.persist();
            }
            dc.targetId = t.id;
            dc.credentialEnc = secrets.encrypt(creds.get(c - 1), dc.credentialContext());
        }
        String enrolled = "enrolled with the advertised certificate";
        alarms.clear(AlarmService.SELF, DeviceService.CERT_MISMATCH + d.mac, enrolled);
        alarms.clear(AlarmService.SELF, DeviceService.ADVERTISED_CERT + d.mac, enrolled);
        audit.record(actor, "DEVICE_ENROL", "device", d.mac, AuditService.SUCCESS, sourceAddress,
                "pinned=" + s.fingerprint() + " channels=" + s.channels() + " " + security);
        seedGrant(set);
        return d;
    }

    static String channelName(String label, int c) {
        return label + "-ch" + c;
    }

    private static String uniqueTargetName(String name, String mac, int c) {
        if (Target.count("name", name) == 0) {
            return name;
        }
        return name + "-" + mac.replace(":", "").substring(6);
    }

    private static TargetSet targetSet(String name) {
        TargetSet s = TargetSet.find("name", name).firstResult();
        if (s == null) {
            s = new TargetSet();
            s.name = name;
            s.description = "targets enrolled from devices (cam.management.devices.target-set)";
            s.persist();
        }
        return s;
    }

    /** Demo seed: the configured group gets the configured level on the target set, once both exist. */
    void seedGrant(TargetSet set) {
        if (set == null || config.devices().seedGrantGroup().isEmpty()) {
            return;
        }
        UserGroup g = UserGroup.find("name", config.devices().seedGrantGroup().get()).firstResult();
        if (g == null || Grant.count("group = ?1 and targetSet = ?2", g, set) > 0) {
            return;
        }
        Grant gr = new Grant();
        gr.group = g;
        gr.targetSet = set;
        gr.accessLevel = config.devices().seedGrantLevel();
        gr.createdAt = Instant.now();
        gr.persist();
        audit.record(AlarmService.SELF, "GRANT_CREATE", "grant", gr.id, AuditService.SUCCESS, null,
                "seed: group=" + g.name + " set=" + set.name + " level=" + gr.accessLevel);
    }

    /** The seed grant for a group that appeared after enrolment (LDAP sync), retried by the poller. */
    @Transactional
    public void seedGrantIfPossible() {
        config.devices().targetSet().ifPresent(name -> {
            TargetSet set = TargetSet.find("name", name).firstResult();
            if (set != null) {
                seedGrant(set);
            }
        });
    }
}
