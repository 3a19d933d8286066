package org.cam.management.device.service;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.List;
import org.cam.management.alarm.service.AlarmService;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.RowLock;
import org.cam.management.common.Transactions;
import org.cam.management.config.ManagementConfig;
import org.cam.management.device.Device;
import org.cam.management.device.DeviceState;
import org.jboss.logging.Logger;

/**
 * What discovery-service heard of a device, applied to its row: new devices are listed (and auto-approved in the
 * configured subnets), a MANAGED device's announced move waits for proof, forged or replayed notices are refused.
 */
@ApplicationScoped
public class DeviceDiscoveries {
    private static final Logger LOG = Logger.getLogger(DeviceDiscoveries.class);

    /** discovery-service's notice (docs/protocols/discovery.md), validated by the resource. */
    public record Notice(String deviceId, long version, String serial, String model, String firmwareVersion,
                         String name, String address, int httpsPort, int kvmPortFirst, int kvmPortLast,
                         int channelCount, long bootCounter, String certificateFingerprint, String sourceAddress,
                         String heardVia, Instant firstSeen, Instant lastSeen) {
    }

    /**
     * {@code autoApprove}: enrolment was started in the background; {@code confirmMove}: a MANAGED device announced
     * another endpoint, which {@link DeviceMoves#confirmMoveLater} is checking.
     */
    public record Upserted(String status, long id, boolean autoApprove, boolean confirmMove) {
    }

    @Inject
    ManagementConfig config;

    @Inject
    AlarmService alarms;

    @Inject
    AuditService audit;

    @Inject
    MeterRegistry meters;

    @Inject
    DeviceEnrolment enrolment;

    @Inject
    DeviceMoves moves;

    /**
     * Applies a notice in a transaction of its own, then sets off in the background what it calls for (enrolment by
     * auto-approve, or the check of an announced move): the device is talked to only after the commit. Discovery is
     * not trusted with a MANAGED device's endpoint: a new address or port only becomes pending ({@code confirmMove})
     * until the device proves itself there ({@link DeviceMoves#confirmMoveLater}). Refused: a notice whose datagram
     * came from another address than the one advertised, and a boot counter that went back. Two notices for a device
     * not yet known (an announce and a scan answer, heard by two replicas) may both find no row; the second insert
     * then fails on the unique MAC and is repeated, and the repeat finds the row.
     */
    public Upserted upsert(Notice n, String actor, String sourceAddress) {
        Upserted u = Transactions.retryingConflicts("discovery of " + n.deviceId(),
                () -> applyNotice(n, actor, sourceAddress));
        if (u.autoApprove()) {
            enrolment.approveLater(u.id());   // after the upsert committed; enrolment talks to the device
        }
        if (u.confirmMove()) {
            moves.confirmMoveLater(u.id());   // the device must prove itself at the announced endpoint
        }
        return u;
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
                    DeviceService.describe(d));
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
            alarms.raise(new AlarmService.Raise(AlarmService.SELF, DeviceService.ADVERTISED_CERT + d.mac, "CRITICAL",
                    "device", d.mac, "device " + d.label() + " advertises certificate " + fp + " but "
                    + d.pinnedFingerprint + " is pinned; refused (re-approve after a legitimate certificate change)"));
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
}
