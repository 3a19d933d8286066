package org.cam.management.access;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.PrePersist;
import jakarta.persistence.Table;
import jakarta.persistence.Version;
import org.cam.management.identity.User;
import org.cam.management.target.Target;

import java.time.Instant;

/** A target assigned directly to one user, outside any group. */
@Entity
@Table(name = "user_target_assignment")
public class Assignment extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(optional = false)
    @JoinColumn(name = "user_id")
    public User user;

    @ManyToOne(optional = false)
    @JoinColumn(name = "target_id")
    public Target target;

    @Enumerated(EnumType.STRING)
    @Column(name = "access_level", nullable = false)
    public AccessLevel accessLevel;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Version
    public long version;

    @PrePersist
    void created() {
        createdAt = Instant.now();
    }
}
