package org.cam.management.access;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.MappedSuperclass;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Version;

import java.time.Instant;

/**
 * What a grant and a direct assignment share: an access level, a clipboard policy, when it was made, and its row
 * identity.
 */
@MappedSuperclass
public abstract class AccessRule extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Enumerated(EnumType.STRING)
    @Column(name = "access_level", nullable = false)
    public AccessLevel accessLevel;

    /** Which way clipboard content may move in sessions this rule allows. */
    @Enumerated(EnumType.STRING)
    @Column(name = "clipboard", nullable = false)
    public ClipboardPolicy clipboard = ClipboardPolicy.BOTH;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Version
    public long version;

    @PrePersist
    void created() {
        createdAt = Instant.now();
    }
}
