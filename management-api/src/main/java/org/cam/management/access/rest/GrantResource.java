package org.cam.management.access.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import org.cam.management.access.AccessLevel;
import org.cam.management.access.ClipboardPolicy;
import org.cam.management.access.Assignment;
import org.cam.management.access.Grant;
import org.cam.management.access.service.GrantService;
import org.cam.management.common.Page;
import org.cam.management.identity.Role;

import java.net.URI;
import java.util.List;

/** Grants (user group x target set -> level) and direct user -> target assignments. Administrators only. */
@Path("/api/v1")
@RolesAllowed(Role.ADMIN)
public class GrantResource {

    public record GrantView(long id, long groupId, String groupName, long targetSetId, String targetSetName,
                            AccessLevel accessLevel, ClipboardPolicy clipboard, long version) {
        static GrantView of(Grant g) {
            return new GrantView(g.id, g.group.id, g.group.name, g.targetSet.id, g.targetSet.name, g.accessLevel,
                    g.clipboard, g.version);
        }
    }

    /** {@code clipboard}: BOTH when absent. */
    public record GrantRequest(@NotNull Long groupId, @NotNull Long targetSetId, @NotNull AccessLevel accessLevel,
                               ClipboardPolicy clipboard) {
    }

    /** {@code clipboard}: unchanged when absent. */
    public record GrantUpdate(@NotNull AccessLevel accessLevel, ClipboardPolicy clipboard, @NotNull Long version) {
    }

    public record AssignmentView(long id, long userId, String username, long targetId, String targetName,
                                 AccessLevel accessLevel, ClipboardPolicy clipboard) {
        static AssignmentView of(Assignment a) {
            return new AssignmentView(a.id, a.user.id, a.user.username, a.target.id, a.target.name, a.accessLevel,
                    a.clipboard);
        }
    }

    /** {@code clipboard}: BOTH when absent. */
    public record AssignmentRequest(@NotNull Long userId, @NotNull Long targetId, @NotNull AccessLevel accessLevel,
                                    ClipboardPolicy clipboard) {
    }

    @Inject
    GrantService grants;

    @Operation(summary = "List grants (group to target set, with access level)")
    @GET
    @Path("/grants")
    public Page<GrantView> list(@QueryParam("groupId") Long groupId, @QueryParam("targetSetId") Long targetSetId,
                                @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size) {
        return grants.list(groupId, targetSetId, page, size).map(GrantView::of);
    }

    @Operation(summary = "Read a grant")
    @GET
    @Path("/grants/{id}")
    public GrantView get(@PathParam("id") long id) {
        return GrantView.of(grants.get(id));
    }

    @Operation(summary = "Create a grant")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = GrantView.class)))
    @POST
    @Path("/grants")
    public Response create(@Valid @NotNull GrantRequest req) {
        Grant g = grants.create(req.groupId(), req.targetSetId(), req.accessLevel(), req.clipboard());
        return Response.created(URI.create("/api/v1/grants/" + g.id)).entity(GrantView.of(g)).build();
    }

    @Operation(summary = "Change a grant")
    @PUT
    @Path("/grants/{id}")
    public GrantView update(@PathParam("id") long id, @Valid @NotNull GrantUpdate req) {
        return GrantView.of(grants.update(id, req.accessLevel(), req.clipboard(), req.version()));
    }

    @Operation(summary = "Delete a grant")
    @APIResponse(responseCode = "204", description = "Done, no content")
    @DELETE
    @Path("/grants/{id}")
    public Response delete(@PathParam("id") long id) {
        grants.delete(id);
        return Response.noContent().build();
    }

    @Operation(summary = "List direct assignments of targets to users")
    @GET
    @Path("/assignments")
    public List<AssignmentView> assignments(@QueryParam("userId") Long userId, @QueryParam("targetId") Long targetId) {
        return grants.assignments(userId, targetId).stream().map(AssignmentView::of).toList();
    }

    @Operation(summary = "Assign a target directly to a user")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = AssignmentView.class)))
    @POST
    @Path("/assignments")
    public Response assign(@Valid @NotNull AssignmentRequest req) {
        Assignment a = grants.assign(req.userId(), req.targetId(), req.accessLevel(), req.clipboard());
        return Response.created(URI.create("/api/v1/assignments/" + a.id)).entity(AssignmentView.of(a)).build();
    }

    @Operation(summary = "Remove a direct assignment")
    @APIResponse(responseCode = "204", description = "Done, no content")
    @DELETE
    @Path("/assignments/{id}")
    public Response unassign(@PathParam("id") long id) {
        grants.unassign(id);
        return Response.noContent().build();
    }
}
