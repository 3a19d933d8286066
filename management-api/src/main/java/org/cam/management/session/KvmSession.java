package org.cam.management.session;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import org.cam.management.access.ClipboardPolicy;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.cam.protocol.ticket.TicketMode;

import java.time.Instant;

/** A console session: requested by a user, claimed by a broker, ended by the broker's report (or expiry). */
@Entity
@Table(name = "kvm_session")
public class KvmSession extends PanacheEntityBase {
    @Id
    public String id;

    @Column(name = "user_id")
    public Long userId;

    @Column(nullable = false)
    public String username;

    @Column(name = "target_id", nullable = false)
    public Long targetId;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public TicketMode mode;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public SessionState state;

    @Column(name = "vnc_password_enc", nullable = false)
    public String vncPasswordEnc;

    /** The clipboard policy the session was granted with (see ClipboardPolicy). */
    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public ClipboardPolicy clipboard = ClipboardPolicy.BOTH;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Column(name = "claimed_at")
    public Instant claimedAt;

    @Column(name = "broker_id")
    public String brokerId;

    @Column(name = "client_address")
    public String clientAddress;

    @Column(name = "ended_at")
    public Instant endedAt;

    @Column(name = "end_reason")
    public String endReason;

    @Column(name = "bytes_from_client")
    public Long bytesFromClient;

    @Column(name = "bytes_from_device")
    public Long bytesFromDevice;

    @Column(name = "terminate_by")
    public String terminateBy;

    /** The operator's message to the user with a disconnect (optional). */
    @Column(name = "terminate_message")
    public String terminateMessage;

    /** What the one-time VNC password is bound to (AES-GCM associated data): this session, this column. */
    public String passwordContext() {
        return passwordContext(id);
    }

    public static String passwordContext(String sessionId) {
        return "session-vnc-password:" + sessionId;
    }

    /** The recording policy decided when the session was requested (what the broker is told in the claim). */
    @Column(nullable = false)
    public boolean recorded;

    @Column(name = "recording_fail_closed", nullable = false)
    public boolean recordingFailClosed;

    /** Legs claimed so far: 1 after the first claim, one more for each resumed claim (see SessionLeg). */
    @Column(nullable = false)
    public int legs;

    /** When the owner last asked to resume: only a ticket issued at or after it claims the next leg (once). */
    @Column(name = "resume_requested_at")
    public Instant resumeRequestedAt;

    /** RESUMING: the session ends unless a broker claims its next leg before this. */
    @Column(name = "resume_until")
    public Instant resumeUntil;
}
