package org.cam.management.peer.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import com.fasterxml.jackson.databind.JsonNode;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import org.cam.management.common.RequestInfo;
import org.cam.management.identity.Role;
import org.cam.management.peer.service.ReplicationService;

/** The database pair through replication-monitor: its status and history, switchover and promote (admins). */
@Path("/api/v1/replication")
@RolesAllowed(Role.ADMIN)
public class ReplicationResource {

    /** {@code reason} goes to replication-monitor's audit with the acting user; {@code force}: promote only. */
    public record Action(@NotBlank @Size(max = 1000) String reason, Boolean force) {
    }

    @Inject
    ReplicationService replication;

    @Inject
    RequestInfo info;

    /** replication-monitor's status as it answers it (state, since, lagMillis, primary, secondary, ...). */
    @Operation(summary = "Both database nodes, lag and state (from replication-monitor)")
    // Passed through as replication-monitor answers it (its own document has the fields): a free-form object here,
    // not Jackson's JsonNode bean, which generated clients would read as a record of booleans.
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = "application/json",
            schema = @Schema(type = SchemaType.OBJECT)))
    @GET
    @Path("/status")
    public JsonNode status() {
        return replication.status();
    }

    /** State transitions and topology actions, newest last. */
    @Operation(summary = "The database pair's history of topology changes (from replication-monitor)")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = "application/json",
            schema = @Schema(type = SchemaType.ARRAY, implementation = Object.class)))
    @GET
    @Path("/history")
    public JsonNode history(@QueryParam("limit") @DefaultValue("100") @Min(1) @Max(1000) int limit) {
        return replication.history(limit);
    }

    @Operation(summary = "Planned switchover of the database pair (a reason is required)")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = "application/json",
            schema = @Schema(type = SchemaType.OBJECT)))
    @POST
    @Path("/switchover")
    public JsonNode switchover(@Valid @NotNull Action action) {
        return replication.switchover(info.actor(), action.reason().strip(), info.sourceAddress());
    }

    @Operation(summary = "Promote the secondary (from replication-monitor; a reason is required)")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = "application/json",
            schema = @Schema(type = SchemaType.OBJECT)))
    @POST
    @Path("/promote")
    public JsonNode promote(@Valid @NotNull Action action) {
        return replication.promote(info.actor(), action.reason().strip(), Boolean.TRUE.equals(action.force()),
                info.sourceAddress());
    }
}
