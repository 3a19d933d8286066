package org.cam.management.target;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.JoinTable;
import jakarta.persistence.ManyToMany;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

/** A target group ("target set"): the unit grants are given on. */
@Entity
@Table(name = "target_set")
public class TargetSet extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, unique = true)
    public String name;

    public String description;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Version
    public long version;

    /** NEVER or ALWAYS (org.cam.management.recording.RecordingPolicy): sessions on its targets are recorded. */
    @Column(nullable = false)
    public String recording = "NEVER";

    /** With ALWAYS: no session when the broker cannot write the recording. */
    @Column(name = "recording_fail_closed", nullable = false)
    public boolean recordingFailClosed;

    @ManyToMany
    @JoinTable(name = "target_set_member", joinColumns = @JoinColumn(name = "set_id"),
            inverseJoinColumns = @JoinColumn(name = "target_id"))
    public Set<Target> targets = new HashSet<>();

    @PrePersist
    void created() {
        createdAt = Instant.now();
    }
}
