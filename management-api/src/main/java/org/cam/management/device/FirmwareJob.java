package org.cam.management.device;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One firmware upgrade of one device, from upload to the device running the new version (or failing). */
@Entity
@Table(name = "firmware_job")
public class FirmwareJob extends PanacheEntityBase {
    public enum State { UPLOADING, WRITING, REBOOTING, DONE, FAILED }

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "device_id", nullable = false)
    public Long deviceId;

    @Column(nullable = false)
    public String image;

    @Column(nullable = false)
    public String version;

    @Column(nullable = false)
    public String sha256;

    @Column(name = "size_bytes", nullable = false)
    public long sizeBytes;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public State state;

    public int progress;

    public String detail;

    @Column(name = "requested_by", nullable = false)
    public String requestedBy;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    public boolean finished() {
        return state == State.DONE || state == State.FAILED;
    }

    /** The device's job under way, if any (at most one per device). */
    public static FirmwareJob running(long deviceId) {
        return FirmwareJob.<FirmwareJob>find("deviceId = ?1 and state not in ?2 order by id desc", deviceId,
                java.util.List.of(State.DONE, State.FAILED)).firstResult();
    }
}
