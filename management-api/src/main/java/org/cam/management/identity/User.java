package org.cam.management.identity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.CollectionTable;
import jakarta.persistence.Column;
import jakarta.persistence.ElementCollection;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToMany;
import jakarta.persistence.PrePersist;
import jakarta.persistence.PreUpdate;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

@Entity
@Table(name = "cam_user")
public class User extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, unique = true)
    public String username;

    @Column(name = "display_name")
    public String displayName;

    public String email;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public Source source;

    @Column(name = "password_hash")
    public String passwordHash;

    @Column(name = "ldap_dn")
    public String ldapDn;

    public boolean enabled = true;

    /** Set by LDAP sync when the entry vanished (and the user was disabled); cleared when it comes back. */
    @Column(name = "ldap_missing")
    public boolean ldapMissing;

    /** In every access token; raised by {@link #endSessions()} so tokens issued before stop working. */
    @Column(name = "token_generation", nullable = false)
    public long tokenGeneration;

    @Column(name = "last_login_at")
    public Instant lastLoginAt;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Version
    public long version;

    /** Directly held roles (LDAP users: the roles mapped from their groups at the last login or sync). */
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "cam_user_role", joinColumns = @JoinColumn(name = "user_id"))
    @Column(name = "role")
    public Set<String> roles = new HashSet<>();

    @ManyToMany(mappedBy = "members")
    public Set<UserGroup> groups = new HashSet<>();

    @PrePersist
    void created() {
        createdAt = Instant.now();
        updatedAt = createdAt;
    }

    @PreUpdate
    void updated() {
        updatedAt = Instant.now();
    }

    /**
     * After a password, role or enable change: the user's access tokens stop working (their generation is old) and
     * refresh tokens are revoked, so nobody keeps what the change took away.
     */
    public void endSessions() {
        tokenGeneration++;
        RefreshToken.update("revoked = true where user = ?1 and revoked = false", this);
    }

    /** By name in any spelling: names are stored in their canonical form ({@link UserNames}). */
    public static Optional<User> byUsername(String username) {
        return find("username", UserNames.canonical(username)).firstResultOptional();
    }
}
