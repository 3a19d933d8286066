package org.cam.management.recording;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;

/** A recorded session as management-api knows it; the recording itself is the file in the storage directory. */
@Entity
@Table(name = "session_recording")
public class SessionRecording extends PanacheEntityBase {
    @Id
    @Column(name = "session_id")
    public String sessionId;

    @Column(nullable = false)
    public String username;

    @Column(name = "target_id", nullable = false)
    public Long targetId;

    @Column(nullable = false)
    public String mode;

    @Column(name = "started_at")
    public Instant startedAt;

    @Column(name = "ended_at")
    public Instant endedAt;

    public String digest;

    @Column(nullable = false)
    public long bytes;

    @Column(nullable = false)
    public long segments;

    @Column(name = "duration_ms", nullable = false)
    public long durationMs;

    @Column(nullable = false)
    public boolean complete;

    public String failure;

    @Column(name = "key_text")
    public String keyText;
}
