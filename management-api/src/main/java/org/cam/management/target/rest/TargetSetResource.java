package org.cam.management.target.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import org.cam.management.common.Page;
import org.cam.management.identity.Role;
import org.cam.management.target.TargetSet;
import org.cam.management.target.service.TargetSetService;

import java.net.URI;

/** Target groups ("target sets"): what grants are given on. */
@Path("/api/v1/target-sets")
@RolesAllowed(Role.OPERATOR)
public class TargetSetResource {

    public record TargetRef(long id, String name) {
    }

    /** A set without its members (a set may hold thousands): they are paged at /{id}/targets. */
    public record TargetSetView(long id, String name, String description, long targetCount, long version) {
        static TargetSetView of(TargetSetService.Counted c) {
            TargetSet s = c.set();
            return new TargetSetView(s.id, s.name, s.description, c.targetCount(), s.version);
        }
    }

    public record TargetSetRequest(@NotBlank @Size(max = 128) String name,
                                   @Size(max = 1024) String description,
                                   Long version) {
    }

    @Inject
    TargetSetService sets;

    @Operation(summary = "List target sets with their member counts (paged and searched)")
    @GET
    public Page<TargetSetView> list(@QueryParam("q") @Size(max = 128) String q,
                                    @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                    @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size) {
        return sets.listCounted(q, page, size).map(TargetSetView::of);
    }

    @Operation(summary = "Read a target set and its member count")
    @GET
    @Path("/{id}")
    public TargetSetView get(@PathParam("id") long id) {
        return TargetSetView.of(sets.getCounted(id));
    }

    /** A set's members by name; q: part of the name (any case). */
    @Operation(summary = "List a target set's members (paged; q searches their names)")
    @GET
    @Path("/{id}/targets")
    public Page<TargetRef> targets(@PathParam("id") long id,
                                   @QueryParam("q") @Size(max = 128) String q,
                                   @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                   @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size) {
        return sets.members(id, q, page, size).map(t -> new TargetRef(t.id, t.name));
    }

    @Operation(summary = "Create a target set")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = TargetSetView.class)))
    @POST
    public Response create(@Valid @NotNull TargetSetRequest req) {
        TargetSet s = sets.create(req.name(), req.description());
        return Response.created(URI.create("/api/v1/target-sets/" + s.id))
                .entity(TargetSetView.of(new TargetSetService.Counted(s, 0))).build();
    }

    @Operation(summary = "Change a target set (version for optimistic locking)")
    @PUT
    @Path("/{id}")
    public TargetSetView update(@PathParam("id") long id, @Valid @NotNull TargetSetRequest req) {
        if (req.version() == null) {
            throw org.cam.management.common.ApiException.badRequest("version", "version is required for updates");
        }
        TargetSet s = sets.update(id, req.name(), req.description(), req.version());
        return TargetSetView.of(new TargetSetService.Counted(s, sets.targetCount(s.id)));
    }

    @Operation(summary = "Delete a target set")
    @APIResponse(responseCode = "204", description = "Done, no content")
    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") long id) {
        sets.delete(id);
        return Response.noContent().build();
    }

    @Operation(summary = "Add a target to a target set")
    @APIResponse(responseCode = "204", description = "Done, no content")
    @PUT
    @Path("/{id}/targets/{targetId}")
    public Response add(@PathParam("id") long id, @PathParam("targetId") long targetId) {
        sets.addTarget(id, targetId);
        return Response.noContent().build();
    }

    @Operation(summary = "Remove a target from a target set")
    @APIResponse(responseCode = "204", description = "Done, no content")
    @DELETE
    @Path("/{id}/targets/{targetId}")
    public Response remove(@PathParam("id") long id, @PathParam("targetId") long targetId) {
        sets.removeTarget(id, targetId);
        return Response.noContent().build();
    }
}
