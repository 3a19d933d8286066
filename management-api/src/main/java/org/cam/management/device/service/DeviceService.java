package org.cam.management.device.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.common.RowLock;
import org.cam.management.common.Transactions;
import jakarta.transaction.Transactional;
import org.cam.management.access.Grant;
import org.cam.management.alarm.service.AlarmService;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.common.Page;
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

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** Discovery upserts, enrolment (approve), rejection, channel renames. Device calls never run inside a transaction. */
@ApplicationScoped
public class DeviceService {
    private static final Logger LOG = Logger.getLogger(DeviceService.class);
    public static final String OFFLINE = "device.OFFLINE:";
    public static final String CERT_MISMATCH = "device.CERT_MISMATCH:";
    public static final String MOVE = "device.MOVE:";
    /**
     * Discovery heard a MANAGED device advertise another certificate than the pinned one. Not cleared when the device
     * then presents the pinned one (that is what a forged announcement looks like): re-approval or removal clears it.
     */
    public static final String ADVERTISED_CERT = "device.ADVERTISED_CERT:";

    /** discovery-service's notice (docs/protocols/discovery.md), validated by the resource. */
    public record Notice(String deviceId, long version, String serial, String model, String firmwareVersion,
                         String name, String address, int httpsPort, int kvmPortFirst, int kvmPortLast,
                         int channelCount, long bootCounter, String certificateFingerprint, String sourceAddress,
                         String heardVia, Instant firstSeen, Instant lastSeen) {
    }

    /** {@code confirmMove}: a MANAGED device announced another endpoint, to be proven by {@link #confirmMoveLater}. */
    public record Upserted(String status, long id, boolean autoApprove, boolean confirmMove) {
    }

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
    MeterRegistry meters;

    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "device-auto-approve");
        t.setDaemon(true);
        return t;
    });

    @jakarta.annotation.PreDestroy
    void stop() {
        background.shutdownNow();
    }

    /**
     * Device secrets written before they were bound to their row (v1) are re-encrypted bound (v2) at start-up; from
     * then on an unbound device secret is refused, so an old ciphertext cannot be planted in a row. Replicas starting
     * together may race on a row: the conditional update keeps whichever won.
     */
    void bindSecretsAtStart(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent ev) {
        int n = bindSecretsToTheirRows();
        if (n > 0) {
            LOG.infof("bound %d device secret(s) to their devices (AES-GCM associated data)", n);
        }
    }

    /** Device secrets and channel credentials still unbound (v1), re-encrypted bound to their rows (v2). */
    public int bindSecretsToTheirRows() {
        return QuarkusTransaction.requiringNew().call(() -> {
            int n = 0;
            for (Device d : Device.<Device>list("secretEnc like ?1", "v1:%")) {
                String plain;
                try {
                    plain = secrets.decrypt(d.secretEnc);
                } catch (IllegalStateException e) {
                    continue;   // another key: only re-enrolment (bootstrap credential) helps, as before
                }
                n += Device.update("secretEnc = ?1 where id = ?2 and secretEnc = ?3",
                        secrets.encrypt(plain, d.secretContext()), d.id, d.secretEnc);
            }
            for (DeviceChannel c : DeviceChannel.<DeviceChannel>list("credentialEnc like ?1", "v1:%")) {
                String plain;
                try {
                    plain = secrets.decrypt(c.credentialEnc);
                } catch (IllegalStateException e) {
                    continue;   // another key: re-approval sets a new one
                }
                n += DeviceChannel.update(
                        "credentialEnc = ?1 where deviceId = ?2 and channel = ?3 and credentialEnc = ?4",
                        secrets.encrypt(plain, c.credentialContext()), c.deviceId, c.channel, c.credentialEnc);
            }
            return n;
        });
    }

    /** A malformed broker address list would be pushed to every device: refused at start-up instead. */
    void checkRfbAllowedSources(@jakarta.enterprise.event.Observes io.quarkus.runtime.StartupEvent ev) {
        for (String e : config.devices().rfbAllowedSources().orElse(List.of())) {
            if (!ipv4Block(e.trim())) {
                throw new IllegalStateException("cam.management.devices.rfb-allowed-sources: not an IPv4 address or "
                        + "CIDR block: " + e);
            }
        }
    }

    static boolean ipv4Block(String e) {
        return e.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}"
                + "(/(3[0-2]|[12]?\\d))?");
    }

    /**
     * What every enrolment and configuration push sets on the device besides names: the channels' own passwords
     * open nothing any more (only the single-use session credentials {@code ChannelCredentials} sets per claim), and
     * RFB only from the brokers when their addresses are configured.
     */
    public Map<String, Object> channelSecurity() {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("sessionCredentialsOnly", true);
        config.devices().rfbAllowedSources().ifPresent(l -> m.put("rfbAllowedSources",
                l.stream().map(String::trim).toList()));
        return m;
    }

    /** What the device's answer to a configuration push says about {@link #channelSecurity()}, for the audit. */
    public String channelSecurityApplied(DeviceClient.Result answer) {
        try {
            JsonNode n = client.parse(answer);
            boolean only = n.path("sessionCredentialsOnly").asBoolean(false);
            return only ? "sessionCredentialsOnly=true rfbAllowedSources=" + n.path("rfbAllowedSources")
                    : "sessionCredentialsOnly NOT taken (the device still accepts its channels' own passwords)";
        } catch (IOException e) {
            return "sessionCredentialsOnly unknown (the answer is not JSON)";
        }
    }

    // ---- discovery ------------------------------------------------------------------------------------------

    /**
     * Applies a notice in a transaction of its own. Discovery is not trusted with a MANAGED device's endpoint: a new
     * address or port only becomes pending ({@code confirmMove}) until the device proves itself there
     * ({@link #confirmMoveLater}). Refused: a notice whose datagram came from another address than the one
     * advertised, and a boot counter that went back. Two notices for a device not yet known (an announce and a scan
     * answer, heard by two replicas) may both find no row; the second insert then fails on the unique MAC and is
     * repeated, and the repeat finds the row.
     */
    public Upserted upsert(Notice n, String actor, String sourceAddress) {
        return Transactions.retryingConflicts("discovery of " + n.deviceId(), () -> applyNotice(n, actor, sourceAddress));
    }

    @Transactional(Transactional.TxType.MANDATORY)
    Upserted applyNotice(Notice n, String actor, String sourceAddress) {
        String mac = n.deviceId().toLowerCase();
        if (n.sourceAddress() == null || !n.sourceAddress().equals(n.address())) {
            return refuse(mac, null, "source", actor, sourceAddress, "the datagram came from " + n.sourceAddress()
                    + ", not from the address it advertises (" + n.address() + ")");
        }
        RowLock.lock(Device.getEntityManager(), "device", "mac", mac);
        Device d = Device.find("mac", mac).firstResult();
        if (d != null && n.version() <= d.noticeVersion) {
            return new Upserted("ignored", d.id, false, false);
        }
        if (d != null && n.bootCounter() < d.bootCounter) {
            return refuse(mac, d.id, "boot-counter", actor, sourceAddress, "boot counter went back from "
                    + d.bootCounter + " to " + n.bootCounter() + " (a replayed or forged announcement)");
        }
        String fp = n.certificateFingerprint().toLowerCase();
        if (d != null && d.state == DeviceState.MANAGED) {
            return managedNotice(d, n, fp);
        }
        boolean isNew = d == null;
        if (isNew) {
            d = new Device();
            d.mac = mac;
            d.state = DeviceState.DISCOVERED;
        }
        d.noticeVersion = n.version();
        d.serial = n.serial();
        d.model = n.model();
        d.firmwareVersion = n.firmwareVersion();
        d.name = n.name();
        d.address = n.address();
        d.httpsPort = n.httpsPort();
        d.kvmPortFirst = n.kvmPortFirst();
        d.kvmPortLast = n.kvmPortLast();
        d.channelCount = n.channelCount();
        d.bootCounter = n.bootCounter();
        d.advertisedFingerprint = fp;
        d.sourceAddress = n.sourceAddress();
        d.heardVia = n.heardVia();
        d.firstSeen = d.firstSeen == null ? n.firstSeen() : d.firstSeen;
        d.lastSeen = n.lastSeen();
        if (isNew) {
            d.persist();
            audit.record(actor, "DEVICE_DISCOVERED", "device", d.mac, AuditService.SUCCESS, sourceAddress,
                    describe(d));
        }
        boolean auto = d.state == DeviceState.DISCOVERED && autoApproved(d.address) && unclaimed(d, actor,
                sourceAddress);
        return new Upserted("applied", d.id, auto, false);
    }

    /**
     * A MANAGED device: what it advertises is recorded, its endpoint is not changed. The poller reads the truth
     * (firmware, boot counter) over the pinned channel; a changed endpoint waits for proof.
     */
    private Upserted managedNotice(Device d, Notice n, String fp) {
        d.noticeVersion = n.version();
        d.advertisedFingerprint = fp;
        d.lastSeen = n.lastSeen();
        d.heardVia = n.heardVia();
        if (!fp.equals(d.pinnedFingerprint)) {
            // The pin stays: a device presenting another certificate is refused until an operator re-approves.
            alarms.raise(new AlarmService.Raise(AlarmService.SELF, ADVERTISED_CERT + d.mac, "CRITICAL", "device",
                    d.mac, "device " + d.label() + " advertises certificate " + fp + " but " + d.pinnedFingerprint
                    + " is pinned; refused (re-approve after a legitimate certificate change)"));
        }
        boolean moved = !n.address().equals(d.address) || n.httpsPort() != d.httpsPort
                || n.kvmPortFirst() != d.kvmPortFirst || n.kvmPortLast() != d.kvmPortLast;
        if (!moved) {
            d.clearPendingEndpoint();   // announced where we know it: nothing to prove
            return new Upserted("applied", d.id, false, false);
        }
        d.pendingAddress = n.address();
        d.pendingHttpsPort = n.httpsPort();
        d.pendingKvmPortFirst = n.kvmPortFirst();
        d.pendingKvmPortLast = n.kvmPortLast();
        d.pendingSince = Instant.now();
        return new Upserted("move-pending", d.id, false, true);
    }

    private Upserted refuse(String mac, Long id, String reason, String actor, String sourceAddress, String detail) {
        meters.counter("cam.devices.notices.refused", "reason", reason).increment();
        audit.record(actor, "DEVICE_NOTICE_REFUSED", "device", mac, AuditService.DENIED, sourceAddress, detail);
        LOG.warnf("discovery notice for %s refused: %s", mac, detail);
        return new Upserted("refused", id == null ? 0 : id, false, false);
    }

    /**
     * Auto-approve enrols without an operator, so it must not enrol a device that poses as one already known: its
     * endpoint or certificate belongs to another device (enrolment also checks the MAC the device itself reports).
     */
    private boolean unclaimed(Device d, String actor, String sourceAddress) {
        long others = Device.count("mac <> ?1 and state <> ?2 and ((address = ?3 and httpsPort = ?4) "
                        + "or pinnedFingerprint = ?5 or advertisedFingerprint = ?5)", d.mac, DeviceState.REJECTED,
                d.address, d.httpsPort, d.advertisedFingerprint);
        if (others == 0) {
            return true;
        }
        audit.record(actor, "DEVICE_AUTO_APPROVE", "device", d.mac, AuditService.DENIED, sourceAddress,
                "not auto-approved: its endpoint or certificate belongs to another device; an operator decides");
        return false;
    }

    boolean autoApproved(String address) {
        List<String> subnets = config.devices().autoApproveSubnets().orElse(List.of());
        for (String cidr : subnets) {
            if (inSubnet(address, cidr.trim())) {
                return true;
            }
        }
        return false;
    }

    static boolean inSubnet(String address, String cidr) {
        try {
            String[] parts = cidr.split("/");
            byte[] a = InetAddress.getByName(address).getAddress();
            byte[] net = InetAddress.getByName(parts[0]).getAddress();
            int bits = parts.length > 1 ? Integer.parseInt(parts[1]) : a.length * 8;
            if (a.length != net.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((a[i / 8] & mask) != (net[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException | NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return false;
        }
    }

    /** Enrols in the background (auto-approve); failures stay on the device as PENDING with last_error. */
    public void approveLater(long id) {
        background.submit(() -> {
            try {
                approve(id, "auto-approve", null);
            } catch (ApiException e) {
                LOG.warnf("auto-approve of device %d failed: %s", id, e.getMessage());
            } catch (RuntimeException e) {
                LOG.errorf(e, "auto-approve of device %d failed", id);
            }
        });
    }

    // ---- moves ----------------------------------------------------------------------------------------------

    private record Move(long id, String mac, String label, String address, int httpsPort, int kvmFirst, int kvmLast,
                        String pin, String secret) {
    }

    /** Devices whose announced move is being checked now (one check per device at a time, per replica). */
    private final java.util.Set<Long> moving = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Checks an announced move in the background: the device must answer at the new endpoint with the pinned
     * certificate, accept its device secret and report its own MAC. Only then do the device and its targets move;
     * otherwise nothing changes, the refusal is audited and an alarm tells an operator (re-approving accepts it).
     */
    public void confirmMoveLater(long id) {
        if (!moving.add(id)) {
            return;
        }
        background.submit(() -> {
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
                alarms.raise(new AlarmService.Raise(AlarmService.SELF, MOVE + d.mac, "CRITICAL", "device", d.mac,
                        "device " + d.label() + " was announced at " + to + " but did not prove itself there ("
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
            alarms.clear(AlarmService.SELF, MOVE + d.mac, "the device proved itself at " + to);
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
            return sameDevice(mac, r);
        } catch (DeviceClient.PinMismatchException e) {
            return "it presented another certificate than the pinned one";
        } catch (IOException e) {
            return "unreachable: " + e.getMessage();
        }
    }

    /** Null when the status answer names {@code mac} as the device's id. */
    private String sameDevice(String mac, DeviceClient.Result status) {
        String reported;
        try {
            reported = client.parse(status).path("id").asText("");
        } catch (IOException e) {
            return "its status answer is not JSON";
        }
        return mac.equalsIgnoreCase(reported) ? null : "it reports device id " + reported + ", not " + mac;
    }

    private static void moveTargets(Device d) {
        for (Target t : Target.<Target>list("deviceId", d.id)) {
            t.host = d.address;
            t.port = d.kvmPortFirst + t.channel - 1;
        }
    }

    // ---- enrolment ------------------------------------------------------------------------------------------

    private record Snapshot(long id, String mac, String label, String address, int httpsPort, String fingerprint,
                            String secret, int channels, boolean wasManaged) {
    }

    /** Devices being enrolled now (one enrolment per device at a time, per replica). */
    private final java.util.Set<Long> enrolling = java.util.concurrent.ConcurrentHashMap.newKeySet();

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
                    AuditService.SUCCESS, sourceAddress, describe(d));
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
            String other = sameDevice(s.mac(), st);
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
            Map<String, Object> body = new java.util.LinkedHashMap<>(channelSecurity());
            body.put("channels", channels);
            DeviceClient.Result cfg = client.callSync(s.address(), s.httpsPort(), s.fingerprint(), newSecret, "PUT",
                    "/api/v1/config", body);
            if (!cfg.ok()) {
                throw enrolFailed(s, actor, sourceAddress, 502, null, "device configuration answered "
                        + cfg.status() + ": " + cfg.body());
            }
            security = channelSecurityApplied(cfg);
            if (!security.startsWith("sessionCredentialsOnly=true")) {
                LOG.warnf("device %s: %s", s.label(), security);
            }
        } catch (DeviceClient.PinMismatchException e) {
            alarms.raiseNow(new AlarmService.Raise(AlarmService.SELF, CERT_MISMATCH + s.mac(), "CRITICAL", "device",
                    s.mac(), "enrolment of " + s.label() + " refused: " + e.getMessage()));
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
            moveTargets(d);
            audit.record(actor, "DEVICE_MOVE", "device", d.mac, AuditService.SUCCESS, sourceAddress,
                    "to " + to + ", accepted by re-approval");
            alarms.clear(AlarmService.SELF, MOVE + d.mac, "re-approved at " + to);
        }
        d.endOperation();
        d.status = DeviceStatus.ONLINE;
        d.missedPolls = 0;
        d.lastError = null;
        TargetSet set = config.devices().targetSet().map(DeviceService::targetSet).orElse(null);
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
        alarms.clear(AlarmService.SELF, CERT_MISMATCH + d.mac, "enrolled with the advertised certificate");
        alarms.clear(AlarmService.SELF, ADVERTISED_CERT + d.mac, "enrolled with the advertised certificate");
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

    @Transactional
    public Device reject(long id, String actor, String sourceAddress) {
        Device d = get(id);
        if (d.state == DeviceState.MANAGED) {
            throw ApiException.conflict("state", "device " + d.label() + " is managed; remove it instead");
        }
        d.state = DeviceState.REJECTED;
        audit.record(actor, "DEVICE_REJECT", "device", d.mac, AuditService.SUCCESS, sourceAddress, describe(d));
        return d;
    }

    /** Forgets a device: its targets go (sessions with them), discovery will report it as new again. */
    @Transactional
    public void delete(long id, String actor, String sourceAddress) {
        Device d = get(id);
        for (Target t : Target.<Target>list("deviceId", d.id)) {
            TargetSet.<TargetSet>list("select s from TargetSet s join s.targets t where t = ?1", t)
                    .forEach(set -> set.targets.remove(t));
            t.delete();
        }
        DeviceChannel.delete("deviceId", d.id);
        alarms.clear(AlarmService.SELF, OFFLINE + d.mac, "device removed");
        alarms.clear(AlarmService.SELF, CERT_MISMATCH + d.mac, "device removed");
        alarms.clear(AlarmService.SELF, ADVERTISED_CERT + d.mac, "device removed");
        alarms.clear(AlarmService.SELF, MOVE + d.mac, "device removed");
        d.delete();
        audit.record(actor, "DEVICE_DELETE", "device", d.mac, AuditService.SUCCESS, sourceAddress, describe(d));
    }

    public Device get(long id) {
        Device d = Device.findById(id);
        if (d == null) {
            throw ApiException.notFound("device", id);
        }
        return d;
    }

    public Page<Device> list(DeviceState state, DeviceStatus status, String q, int page, int size) {
        List<String> w = new ArrayList<>();
        Parameters p = new Parameters();
        w.add("1 = 1");
        if (state != null) { w.add("state = :state"); p.and("state", state); }
        if (status != null) { w.add("status = :status"); p.and("status", status); }
        if (q != null && !q.isBlank()) {
            w.add("(lower(name) like :q or lower(serial) like :q or mac like :q or address like :q)");
            p.and("q", "%" + q.toLowerCase() + "%");
        }
        String where = String.join(" and ", w);
        return new Page<>(Device.<Device>find(where, Sort.by("address").and("mac"), p).page(page, size).list(),
                page, size, Device.count(where, p));
    }

    static String describe(Device d) {
        return "mac=" + d.mac + " serial=" + d.serial + " name=" + d.name + " address=" + d.address + ":" + d.httpsPort
                + " kvm=" + d.kvmPortFirst + "-" + d.kvmPortLast + " channels=" + d.channelCount + " sha256="
                + d.advertisedFingerprint + " state=" + d.state;
    }

    /** Parsed status answer, for the poller. */
    record Polled(String firmware, String state, long bootCounter, boolean switchAttached,
                  Map<Integer, int[]> channels, String jobState, int jobProgress, String jobVersion,
                  String jobDetail) {
        static Polled of(JsonNode n) {
            Map<Integer, int[]> ch = new java.util.HashMap<>();
            for (JsonNode c : n.path("channels")) {
                ch.put(c.path("channel").asInt(), new int[] {c.path("sessions").asInt(),
                        "off".equals(c.path("power").asText()) ? 0 : 1});
            }
            JsonNode job = n.path("firmwareJob");
            return new Polled(n.path("firmware").asText(null), n.path("state").asText("running"),
                    n.path("bootCounter").asLong(0), n.path("switchAttached").asBoolean(false), ch,
                    job.path("state").asText("idle"), job.path("progress").asInt(0), job.path("version").asText(null),
                    job.path("detail").asText(null));
        }

        boolean running() {
            return "running".equals(state);
        }

        /** The device says it is busy applying something (its own firmware job, a reboot, a configuration). */
        boolean updating() {
            return !running() || jobState.equals("writing") || jobState.equals("rebooting");
        }
    }
}
