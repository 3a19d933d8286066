package org.cam.management.device.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
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
import org.cam.management.target.Target;
import org.cam.management.target.TargetSet;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The devices as an inventory (list, read, reject, forget), the alarms kept per device, the channel security every
 * enrolment and configuration push sets, and device secrets bound to their rows at start-up. Discovery, moves and
 * enrolment are {@link DeviceDiscoveries}, {@link DeviceMoves} and {@link DeviceEnrolment}.
 */
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

    /**
     * One thread for the device work a discovery notice sets off (auto-approve, move checks): the notice is answered
     * at once, and a device that takes seconds to answer holds no request thread and no transaction.
     */
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "device-auto-approve");
        t.setDaemon(true);
        return t;
    });

    @jakarta.annotation.PreDestroy
    void stop() {
        background.shutdownNow();
    }

    /** Runs {@code work} on the background thread, after the caller's transaction. */
    void later(Runnable work) {
        background.submit(work);
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

    /** Null when the status answer names {@code mac} as the device's id. */
    String sameDevice(String mac, DeviceClient.Result status) {
        String reported;
        try {
            reported = client.parse(status).path("id").asText("");
        } catch (IOException e) {
            return "its status answer is not JSON";
        }
        return mac.equalsIgnoreCase(reported) ? null : "it reports device id " + reported + ", not " + mac;
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

    /** A device with its channels and the names of their targets: what the API shows of it. */
    public record Detail(Device device, List<DeviceChannel> channels, Map<Long, String> targetNames) {
    }

    public Detail detail(Device d) {
        List<DeviceChannel> rows = DeviceChannel.list("deviceId = ?1 order by channel", d.id);
        List<Long> targetIds = rows.stream().map(c -> c.targetId).filter(java.util.Objects::nonNull).toList();
        Map<Long, String> names = targetIds.isEmpty() ? Map.of()
                : Target.<Target>list("id in ?1", targetIds).stream()
                .collect(java.util.stream.Collectors.toMap(t -> t.id, t -> t.name));
        return new Detail(d, rows, names);
    }

    /**
     * The device after an operation: read in a transaction of its own, so it shows what the operation's own
     * transactions committed.
     */
    public Detail reloaded(long id) {
        return QuarkusTransaction.requiringNew().call(() -> detail(get(id)));
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
