package org.cam.management.identity.ldap;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.identity.LdapSyncRun;
import org.cam.management.identity.Source;
import org.cam.management.identity.User;
import org.cam.management.identity.UserGroup;
import org.cam.management.identity.service.LdapProvisioning;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Imports users and groups from the directory. A dry run applies the same changes inside a transaction that is
 * rolled back, so what it reports is exactly what a real run would do. Users gone from the directory are disabled
 * (never deleted: their audit history stays); they are enabled again if they come back.
 */
@ApplicationScoped
public class LdapSyncService {
    private static final Logger LOG = Logger.getLogger(LdapSyncService.class);

    public record Report(boolean dryRun, String outcome, Instant startedAt, Instant finishedAt,
                         List<String> usersCreated, List<String> usersUpdated, List<String> usersDisabled,
                         List<String> groupsCreated, List<String> groupsUpdated, List<String> membershipChanges,
                         List<String> skipped, String message) {
    }

    private final AtomicBoolean running = new AtomicBoolean();

    @Inject
    LdapService ldap;

    @Inject
    LdapProvisioning provisioning;

    @Inject
    AuditService audit;

    @Inject
    org.cam.management.access.service.AccessCache accessCache;

    @Scheduled(identity = "ldap-sync", every = "${cam.management.ldap.sync-every}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP, skipExecutionIf = LdapDisabled.class)
    void scheduled() {
        try {
            run(false, "SCHEDULED", "system", null);
        } catch (ApiException e) {
            LOG.debugf("scheduled LDAP sync skipped: %s", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf("scheduled LDAP sync failed: %s", e.getMessage());
        }
    }

    public Report run(boolean dryRun, String trigger, String actor, String sourceAddress) {
        if (!ldap.enabled()) {
            throw ApiException.conflict(null, "LDAP is disabled (cam.management.ldap.enabled=false)");
        }
        if (!running.compareAndSet(false, true)) {
            throw ApiException.conflict(null, "an LDAP sync is already running");
        }
        Instant started = Instant.now();
        try {
            LdapDirectory.Snapshot snap;
            try {
                snap = ldap.directory().snapshot();
            } catch (Exception e) {
                Report r = failed(dryRun, started, "directory unavailable: " + e.getMessage());
                record(r, trigger, actor, sourceAddress);
                return r;
            }
            Report r;
            QuarkusTransaction.begin();
            try {
                r = apply(snap, dryRun, started);
                if (dryRun) {
                    QuarkusTransaction.rollback();
                } else {
                    QuarkusTransaction.commit();
                }
            } catch (RuntimeException e) {
                QuarkusTransaction.rollback();
                r = failed(dryRun, started, e.getMessage());
            }
            if (!dryRun) {
                ldap.clearCache();   // roles or enabled flags may have changed
                accessCache.changed();   // and group memberships: who sees which target
            }
            record(r, trigger, actor, sourceAddress);
            return r;
        } finally {
            running.set(false);
        }
    }

    private Report apply(LdapDirectory.Snapshot snap, boolean dryRun, Instant started) {
        List<String> usersCreated = new ArrayList<>();
        List<String> usersUpdated = new ArrayList<>();
        List<String> usersDisabled = new ArrayList<>();
        List<String> groupsCreated = new ArrayList<>();
        List<String> groupsUpdated = new ArrayList<>();
        List<String> memberships = new ArrayList<>();
        List<String> skipped = new ArrayList<>();

        // 1. groups and their nesting, exactly as in the directory
        Map<String, UserGroup> groups = new java.util.HashMap<>();
        for (LdapDirectory.Group g : snap.groups().values()) {
            UserGroup ug = UserGroup.byName(g.name()).orElse(null);
            if (ug == null) {
                ug = new UserGroup();
                ug.name = g.name();
                ug.source = Source.LDAP;
                ug.ldapDn = g.dn();
                ug.persist();
                groupsCreated.add(g.name());
            } else if (ug.source == Source.LOCAL) {
                skipped.add("group " + g.name() + ": a local group has that name");
                continue;
            } else if (!g.dn().equals(ug.ldapDn)) {
                ug.ldapDn = g.dn();
                groupsUpdated.add(g.name());
            }
            groups.put(g.name(), ug);
        }
        for (LdapDirectory.Group g : snap.groups().values()) {
            for (String child : g.memberGroups()) {
                UserGroup c = groups.get(child);
                UserGroup p = groups.get(g.name());
                if (c != null && p != null && c.parents.add(p)) {
                    memberships.add("group " + child + " +" + g.name());
                }
            }
        }
        for (UserGroup ug : groups.values()) {
            for (UserGroup p : new HashSet<>(ug.parents)) {
                LdapDirectory.Group parent = snap.groups().get(p.name);
                if (p.source == Source.LDAP && (parent == null || !parent.memberGroups().contains(ug.name))) {
                    ug.parents.remove(p);
                    memberships.add("group " + ug.name + " -" + p.name);
                }
            }
        }
        // 2. users
        for (LdapDirectory.Account a : snap.users().values()) {
            User u = User.byUsername(a.uid()).orElse(null);
            if (u != null && u.source == Source.LOCAL) {
                skipped.add("user " + a.uid() + ": a local user has that name");
                continue;
            }
            Set<String> before = u == null ? Set.of() : ldapGroupNames(u);
            boolean wasMissing = u != null && u.ldapMissing;
            LdapProvisioning.Changes c = provisioning.apply(a, u);
            if (c.userCreated()) {
                usersCreated.add(a.uid());
            } else if (c.userUpdated() || wasMissing) {
                usersUpdated.add(a.uid() + (wasMissing ? " (back in the directory: enabled)" : ""));
            }
            Set<String> after = new TreeSet<>(a.directGroups());
            for (String g : after) {
                if (!before.contains(g)) {
                    memberships.add(a.uid() + " +" + g);
                }
            }
            for (String g : before) {
                if (!after.contains(g)) {
                    memberships.add(a.uid() + " -" + g);
                }
            }
        }
        // 3. users gone from the directory: disabled, kept
        for (User u : User.<User>list("source = ?1 and ldapMissing = false", Source.LDAP)) {
            if (!snap.users().containsKey(u.username)) {
                u.enabled = false;
                u.ldapMissing = true;
                u.endSessions();
                usersDisabled.add(u.username);
            }
        }
        // 4. groups gone from the directory: emptied (grants on them then give nothing), kept for history
        for (UserGroup ug : UserGroup.<UserGroup>list("source", Source.LDAP)) {
            if (!snap.groups().containsKey(ug.name) && (!ug.members.isEmpty() || !ug.parents.isEmpty())) {
                ug.members.forEach(m -> memberships.add(m.username + " -" + ug.name));
                ug.members.clear();
                ug.parents.clear();
                groupsUpdated.add(ug.name + " (gone from the directory: emptied)");
            }
        }
        UserGroup.flush();
        return new Report(dryRun, "SUCCESS", started, Instant.now(), usersCreated, usersUpdated, usersDisabled,
                groupsCreated, groupsUpdated, memberships, skipped, null);
    }

    private static Set<String> ldapGroupNames(User u) {
        Set<String> s = new TreeSet<>();
        u.groups.stream().filter(g -> g.source == Source.LDAP).forEach(g -> s.add(g.name));
        return s;
    }

    private static Report failed(boolean dryRun, Instant started, String message) {
        return new Report(dryRun, "FAILURE", started, Instant.now(), List.of(), List.of(), List.of(), List.of(),
                List.of(), List.of(), List.of(), message);
    }

    private void record(Report r, String trigger, String actor, String sourceAddress) {
        QuarkusTransaction.requiringNew().run(() -> {
            LdapSyncRun run = new LdapSyncRun();
            run.startedAt = r.startedAt();
            run.finishedAt = r.finishedAt();
            run.triggerKind = trigger;
            run.dryRun = r.dryRun();
            run.outcome = r.outcome();
            run.usersCreated = r.usersCreated().size();
            run.usersUpdated = r.usersUpdated().size();
            run.usersDisabled = r.usersDisabled().size();
            run.groupsCreated = r.groupsCreated().size();
            run.groupsUpdated = r.groupsUpdated().size();
            run.membershipsChanged = r.membershipChanges().size();
            run.message = r.message() == null ? null : r.message().substring(0, Math.min(2000, r.message().length()));
            run.persist();
            if (!r.dryRun()) {
                audit.record(actor, "LDAP_SYNC", "ldap", run.id,
                        "SUCCESS".equals(r.outcome()) ? AuditService.SUCCESS : AuditService.FAILURE, sourceAddress,
                        "created=" + r.usersCreated() + " disabled=" + r.usersDisabled() + " updated="
                                + r.usersUpdated().size() + " groupsCreated=" + r.groupsCreated()
                                + " memberships=" + r.membershipChanges().size()
                                + (r.message() == null ? "" : " message=" + r.message()));
            }
        });
    }

    @jakarta.inject.Singleton
    public static class LdapDisabled implements Scheduled.SkipPredicate {
        @Inject
        org.cam.management.config.ManagementConfig config;

        @Override
        public boolean test(io.quarkus.scheduler.ScheduledExecution execution) {
            return !config.ldap().enabled();
        }
    }
}
