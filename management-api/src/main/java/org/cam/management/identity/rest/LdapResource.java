package org.cam.management.identity.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import org.cam.management.common.RequestInfo;
import org.cam.management.config.ManagementConfig;
import org.cam.management.identity.LdapSyncRun;
import org.cam.management.identity.Role;
import org.cam.management.identity.ldap.LdapSyncService;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.time.Instant;

@Path("/api/v1/ldap")
@RolesAllowed(Role.ADMIN)
public class LdapResource {

    public record RunView(long id, Instant startedAt, Instant finishedAt, String trigger, boolean dryRun,
                          String outcome, int usersCreated, int usersUpdated, int usersDisabled, int groupsCreated,
                          int groupsUpdated, int membershipsChanged, String message) {
        static RunView of(LdapSyncRun r) {
            return r == null ? null : new RunView(r.id, r.startedAt, r.finishedAt, r.triggerKind, r.dryRun, r.outcome,
                    r.usersCreated, r.usersUpdated, r.usersDisabled, r.groupsCreated, r.groupsUpdated,
                    r.membershipsChanged, r.message);
        }
    }

    public record Status(boolean enabled, String url, String schedule, RunView lastRun, RunView lastAppliedRun) {
    }

    @Inject
    LdapSyncService sync;

    @Inject
    ManagementConfig config;

    @Inject
    RequestInfo info;

    @POST
    @Path("/sync")
    @Operation(summary = "Import/sync users and groups from LDAP now; dryRun=true only reports what would change")
    public LdapSyncService.Report sync(@QueryParam("dryRun") @DefaultValue("false") boolean dryRun) {
        return sync.run(dryRun, "MANUAL", info.actor(), info.sourceAddress());
    }

    @Operation(summary = "The directory settings in effect and the last synchronisations")
    @GET
    @Path("/status")
    public Status status() {
        LdapSyncRun last = LdapSyncRun.find("order by id desc").firstResult();
        LdapSyncRun applied = LdapSyncRun.find("dryRun = false order by id desc").firstResult();
        return new Status(config.ldap().enabled(), config.ldap().url(), config.ldap().syncEvery(), RunView.of(last),
                RunView.of(applied));
    }
}
