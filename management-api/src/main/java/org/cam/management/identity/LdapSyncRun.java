package org.cam.management.identity;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.Instant;

/** One LDAP import/sync run (dry runs included), for GET /api/v1/ldap/status. */
@Entity
@Table(name = "ldap_sync_run")
public class LdapSyncRun extends PanacheEntityBase {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "started_at", nullable = false)
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(name = "trigger_kind", nullable = false)
    public String triggerKind;

    @Column(name = "dry_run", nullable = false)
    public boolean dryRun;

    @Column(nullable = false)
    public String outcome;

    @Column(name = "users_created")
    public int usersCreated;

    @Column(name = "users_updated")
    public int usersUpdated;

    @Column(name = "users_disabled")
    public int usersDisabled;

    @Column(name = "groups_created")
    public int groupsCreated;

    @Column(name = "groups_updated")
    public int groupsUpdated;

    @Column(name = "memberships_changed")
    public int membershipsChanged;

    public String message;
}
