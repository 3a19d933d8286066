package org.cam.management.recording.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import org.cam.management.common.RequestInfo;
import org.cam.management.identity.Role;
import org.cam.management.recording.RecordingPolicy;
import org.cam.management.recording.service.RecordingPolicies;
import org.cam.management.target.TargetSet;

/** A target set's recording policy: read by operators and auditors, set by admins (audited). */
@Path("/api/v1/target-sets/{setId}/recording")
public class TargetSetRecordingResource {

    /**
     * {@code recording}/{@code failClosed}: the set's own setting (what PUT sets); {@code effective}/
     * {@code effectiveFailClosed}: what sessions on it get, which differs when {@code enforcedBy} names the
     * configuration that records the set whatever its setting says.
     */
    public record PolicyView(long targetSetId, String name, RecordingPolicy recording, boolean failClosed,
                             RecordingPolicy effective, boolean effectiveFailClosed, String enforcedBy) {
        static PolicyView of(RecordingPolicies.Policy p) {
            TargetSet s = p.set();
            return new PolicyView(s.id, s.name, p.stored(), s.recordingFailClosed, p.effective(),
                    p.effectiveFailClosed(), p.configuredAlways()
                            ? "configuration: cam.management.recording.always-sets names this set" : null);
        }
    }

    public record PolicyRequest(@NotNull RecordingPolicy recording, Boolean failClosed) {
    }

    @Inject
    RecordingPolicies policies;

    @Inject
    RequestInfo info;

    @Operation(summary = "Read a target set's recording policy")
    @GET
    @RolesAllowed({Role.OPERATOR, Role.AUDITOR})
    public PolicyView policy(@PathParam("setId") long id) {
        return PolicyView.of(policies.policy(id));
    }

    @Operation(summary = "Set a target set's recording policy (never, always, fail-closed)")
    @PUT
    @RolesAllowed(Role.ADMIN)
    public PolicyView setPolicy(@PathParam("setId") long id, @Valid @NotNull PolicyRequest req) {
        return PolicyView.of(policies.setPolicy(id, req.recording(), Boolean.TRUE.equals(req.failClosed()),
                info.actor(), info.sourceAddress()));
    }

}
