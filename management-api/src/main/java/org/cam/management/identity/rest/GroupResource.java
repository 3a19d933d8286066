package org.cam.management.identity.rest;

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
import jakarta.validation.constraints.Pattern;
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
import org.cam.management.identity.Source;
import org.cam.management.identity.UserGroup;
import org.cam.management.identity.service.GroupService;

import java.net.URI;
import java.time.Instant;
import java.util.Set;

@Path("/api/v1/groups")
// One transaction per request: views read lazy collections of the entities the services return.
@jakarta.transaction.Transactional
@RolesAllowed(Role.ADMIN)
public class GroupResource {

    /**
     * A group without its members (a directory group may hold thousands): they are paged at /{id}/members. Its
     * parents stay: nesting is a handful of groups.
     */
    public record GroupView(long id, String name, String description, Source source, long memberCount,
                            Set<String> parents, Instant createdAt, long version) {
        static GroupView of(GroupService.Counted c) {
            UserGroup g = c.group();
            return new GroupView(g.id, g.name, g.description, g.source, c.memberCount(),
                    UserResource.names(g.parents), g.createdAt, g.version);
        }
    }

    public record GroupMemberView(long id, String username, String displayName) {
    }

    public record CreateGroup(@NotBlank @Pattern(regexp = "^[A-Za-z0-9._ -]{1,128}$") String name,
                              @Size(max = 1024) String description) {
    }

    public record UpdateGroup(@Size(max = 1024) String description, @NotNull Long version) {
    }

    @Inject
    GroupService groups;

    @Operation(summary = "List groups (paged and searched)")
    @GET
    public Page<GroupView> list(@QueryParam("q") @Size(max = 128) String q,
                                @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size) {
        return groups.listCounted(q, page, size).map(GroupView::of);
    }

    @Operation(summary = "Read a group with its member count and parents")
    @GET
    @Path("/{id}")
    public GroupView get(@PathParam("id") long id) {
        return GroupView.of(groups.getCounted(id));
    }

    @Operation(summary = "List a group's members (paged, searched by user name)")
    @GET
    @Path("/{id}/members")
    public Page<GroupMemberView> members(@PathParam("id") long id,
                                         @QueryParam("q") @Size(max = 128) String q,
                                         @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                         @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size) {
        return groups.members(id, q, page, size)
                .map(m -> new GroupMemberView(m.id(), m.username(), m.displayName()));
    }

    @Operation(summary = "Create a local group")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = GroupView.class)))
    @POST
    public Response create(@Valid @NotNull CreateGroup req) {
        UserGroup g = groups.create(req.name(), req.description());
        return Response.created(URI.create("/api/v1/groups/" + g.id))
                .entity(GroupView.of(new GroupService.Counted(g, 0))).build();
    }

    @Operation(summary = "Change a group")
    @PUT
    @Path("/{id}")
    public GroupView update(@PathParam("id") long id, @Valid @NotNull UpdateGroup req) {
        UserGroup g = groups.update(id, req.description(), req.version());
        return GroupView.of(new GroupService.Counted(g, groups.memberCount(g.id)));
    }

    @Operation(summary = "Delete a group")
    @APIResponse(responseCode = "204", description = "Done, no content")
    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") long id) {
        groups.delete(id);
        return Response.noContent().build();
    }

    @Operation(summary = "Add a user to a group")
    @APIResponse(responseCode = "204", description = "Done, no content")
    @PUT
    @Path("/{id}/members/{userId}")
    public Response addMember(@PathParam("id") long id, @PathParam("userId") long userId) {
        groups.addMember(id, userId);
        return Response.noContent().build();
    }

    @Operation(summary = "Remove a user from a group")
    @APIResponse(responseCode = "204", description = "Done, no content")
    @DELETE
    @Path("/{id}/members/{userId}")
    public Response removeMember(@PathParam("id") long id, @PathParam("userId") long userId) {
        groups.removeMember(id, userId);
        return Response.noContent().build();
    }

    /** Nest this group inside another one (its members then count as members of the parent). */
    @Operation(summary = "Nest a group in a parent group")
    @APIResponse(responseCode = "204", description = "Done, no content")
    @PUT
    @Path("/{id}/parents/{parentId}")
    public Response nest(@PathParam("id") long id, @PathParam("parentId") long parentId) {
        groups.addParent(id, parentId);
        return Response.noContent().build();
    }
}
