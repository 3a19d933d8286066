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
import org.cam.management.identity.UserGroup;
import org.cam.management.target.TargetSet;

import java.time.Instant;

/** user group x target set -> access level. */
@Entity
@Table(name = "access_grant")
public class Grant extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @ManyToOne(optional = false)
    @JoinColumn(name = "group_id")
    public UserGroup group;

    @ManyToOne(optional = false)
    @JoinColumn(name = "target_set_id")
    public TargetSet targetSet;

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
