package org.cam.management.device;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.PrePersist;
import jakarta.persistence.PreUpdate;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;

/** A KVM-over-IP device as discovery reported it and enrolment made it. */
@Entity
@Table(name = "device")
public class Device extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, unique = true)
    public String mac;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public DeviceState state;

    @Column(name = "notice_version", nullable = false)
    public long noticeVersion;

    public String serial;
    public String model;

    @Column(name = "firmware_version")
    public String firmwareVersion;

    public String name;

    @Column(nullable = false)
    public String address;

    @Column(name = "https_port", nullable = false)
    public int httpsPort;

    @Column(name = "kvm_port_first", nullable = false)
    public int kvmPortFirst;

    @Column(name = "kvm_port_last", nullable = false)
    public int kvmPortLast;

    @Column(name = "channel_count", nullable = false)
    public int channelCount;

    @Column(name = "boot_counter", nullable = false)
    public long bootCounter;

    /**
     * Counts channel power switches. A poll remembers it before it asks the device for its status and keeps the
     * power it read only if no switch happened meanwhile: a status taken before a switch must not undo it.
     */
    @Column(name = "power_switches", nullable = false)
    public long powerSwitches;

    @Column(name = "advertised_fingerprint", nullable = false)
    public String advertisedFingerprint;

    @Column(name = "pinned_fingerprint")
    public String pinnedFingerprint;

    @Column(name = "source_address")
    public String sourceAddress;

    @Column(name = "heard_via")
    public String heardVia;

    @Column(name = "first_seen")
    public Instant firstSeen;

    @Column(name = "last_seen")
    public Instant lastSeen;

    /** An endpoint discovery announced for this MANAGED device that it has not proven yet (see DeviceMoves). */
    @Column(name = "pending_address")
    public String pendingAddress;

    @Column(name = "pending_https_port")
    public Integer pendingHttpsPort;

    @Column(name = "pending_kvm_port_first")
    public Integer pendingKvmPortFirst;

    @Column(name = "pending_kvm_port_last")
    public Integer pendingKvmPortLast;

    @Column(name = "pending_since")
    public Instant pendingSince;

    @Column(name = "secret_enc")
    public String secretEnc;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public DeviceStatus status = DeviceStatus.UNKNOWN;

    @Column(name = "missed_polls", nullable = false)
    public int missedPolls;

    @Column(name = "last_poll_at")
    public Instant lastPollAt;

    @Column(name = "switch_attached", nullable = false)
    public boolean switchAttached;

    @Column(name = "last_error")
    public String lastError;

    /** The operation under way (its targets read "Updating device"), or null. */
    @Enumerated(EnumType.STRING)
    public DeviceOperation operation;

    @Column(name = "operation_by")
    public String operationBy;

    @Column(name = "operation_started_at")
    public Instant operationStartedAt;

    @Column(name = "operation_boot_counter")
    public Long operationBootCounter;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Version
    public long version;

    /** A label for names: the device's name when it has one, else its serial. */
    public String label() {
        return name != null && !name.isBlank() ? name : serial != null ? serial : mac.replace(":", "");
    }

    /** What the device secret is bound to (AES-GCM associated data): this device, this column. */
    public String secretContext() {
        return "device-secret:" + mac;
    }

    /** The announced endpoint waiting for proof, as text, or null. */
    public String pendingEndpoint() {
        return pendingAddress == null ? null : pendingAddress + ":" + pendingHttpsPort + " kvm " + pendingKvmPortFirst
                + "-" + pendingKvmPortLast;
    }

    /** Takes the proven pending endpoint as the device's own. */
    public void applyPendingEndpoint() {
        address = pendingAddress;
        httpsPort = pendingHttpsPort;
        kvmPortFirst = pendingKvmPortFirst;
        kvmPortLast = pendingKvmPortLast;
        clearPendingEndpoint();
    }

    public void clearPendingEndpoint() {
        pendingAddress = null;
        pendingHttpsPort = null;
        pendingKvmPortFirst = null;
        pendingKvmPortLast = null;
        pendingSince = null;
    }

    /** Starts an operation: the device is UPDATING until {@link #endOperation()}. */
    public void beginOperation(DeviceOperation op, String by) {
        operation = op;
        operationBy = by;
        operationStartedAt = Instant.now();
        operationBootCounter = bootCounter;
        status = DeviceStatus.UPDATING;
    }

    /** "firmware since <instant> by <who>", for messages about the operation under way. */
    public String operationText() {
        return operation == null ? "idle" : operation.name().toLowerCase() + " since " + operationStartedAt + " by "
                + operationBy;
    }

    /** Ends the operation; the status is what the device last showed (the next poll confirms it). */
    public void endOperation() {
        operation = null;
        operationBy = null;
        operationStartedAt = null;
        operationBootCounter = null;
        if (status == DeviceStatus.UPDATING) {
            status = DeviceStatus.ONLINE;
        }
    }

    @PrePersist
    void created() {
        createdAt = Instant.now();
        updatedAt = createdAt;
    }

    @PreUpdate
    void updated() {
        updatedAt = Instant.now();
    }
}
