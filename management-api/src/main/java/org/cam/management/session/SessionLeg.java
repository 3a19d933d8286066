package org.cam.management.session;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;
import java.util.List;

/**
 * One broker connection of a session: the first claim opens leg 1, each resumed claim the next. The session's bytes
 * are the sum of its legs' (a leg whose broker was killed never reports its bytes: null).
 */
@Entity
@Table(name = "session_leg")
public class SessionLeg extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "session_id", nullable = false)
    public String sessionId;

    @Column(nullable = false)
    public int leg;

    @Column(name = "broker_id", nullable = false)
    public String brokerId;

    @Column(name = "client_address")
    public String clientAddress;

    @Column(name = "claimed_at", nullable = false)
    public Instant claimedAt;

    @Column(name = "ended_at")
    public Instant endedAt;

    @Column(name = "end_reason")
    public String endReason;

    @Column(name = "bytes_from_client")
    public Long bytesFromClient;

    @Column(name = "bytes_from_device")
    public Long bytesFromDevice;

    public static SessionLeg of(String sessionId, int leg) {
        return find("sessionId = ?1 and leg = ?2", sessionId, leg).firstResult();
    }

    public static List<SessionLeg> ofSession(String sessionId) {
        return list("sessionId = ?1 order by leg", sessionId);
    }
}
