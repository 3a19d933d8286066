package org.cam.management.target;

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
import jakarta.persistence.PrePersist;
import jakarta.persistence.PreUpdate;
import jakarta.persistence.Table;
import jakarta.persistence.Version;

import org.cam.management.common.Page;

import java.time.Instant;
import java.util.HashSet;
import java.util.Set;

@Entity
@Table(name = "target")
public class Target extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(nullable = false, unique = true)
    public String name;

    public String description;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public TargetKind kind;

    /** RFB endpoint (RFB_ENDPOINT targets). */
    public String host;

    public Integer port;

    /**
     * RFB_ENDPOINT: the server's credential, SecretBox-encrypted (VNC password, or the password of
     * {@link #credentialUsername} for VeNCrypt Plain). Never leaves management-api except in a claim to a broker.
     */
    @Column(name = "credential_enc")
    public String credentialEnc;

    @Column(name = "credential_username")
    public String credentialUsername;

    /** What the credential is bound to (AES-GCM associated data): this target, this column. */
    public String credentialContext() {
        return credentialContext(id);
    }

    public static String credentialContext(Long targetId) {
        return "target-credential:" + targetId;
    }

    /** VeNCrypt X509: the server certificate's SHA-256 fingerprint (64 lowercase hex digits), pinned. */
    @Column(name = "tls_fingerprint")
    public String tlsFingerprint;

    /** VeNCrypt X509: CA certificates (PEM) the server's certificate must chain to, instead of a pin. */
    @Column(name = "tls_ca_pem")
    public String tlsCaPem;

    /** Device link (DEVICE_CHANNEL targets, created by the device half). */
    @Column(name = "device_id")
    public Long deviceId;

    public Integer channel;

    @Enumerated(EnumType.STRING)
    @Column(name = "access_policy", nullable = false)
    public AccessPolicy accessPolicy;

    // one query for the tags of a whole page of targets, not one per target
    @org.hibernate.annotations.BatchSize(size = Page.MAX_SIZE)
    @ElementCollection(fetch = FetchType.EAGER)
    @CollectionTable(name = "target_location_tag", joinColumns = @JoinColumn(name = "target_id"))
    @Column(name = "tag")
    public Set<String> locationTags = new HashSet<>();

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Version
    public long version;

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
