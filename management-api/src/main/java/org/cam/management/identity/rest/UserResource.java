package org.cam.management.identity.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Email;
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
import org.cam.management.common.ApiException;
import org.cam.management.common.Page;
import org.cam.management.identity.Role;
import org.cam.management.identity.Source;
import org.cam.management.identity.User;
import org.cam.management.identity.UserGroup;
import org.cam.management.identity.service.UserService;

import java.net.URI;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

@Path("/api/v1/users")
// One transaction per request: views read lazy collections of the entities the services return.
@jakarta.transaction.Transactional
@RolesAllowed(Role.ADMIN)
public class UserResource {
    static final String NAME = "^[A-Za-z0-9._@-]{1,128}$";

    public record UserView(long id, String username, String displayName, String email, Source source,
                           boolean enabled, Set<String> roles, Set<String> groups, Instant lastLoginAt,
                           Instant createdAt, long version) {
        public static UserView of(User u) {
            return new UserView(u.id, u.username, u.displayName, u.email, u.source, u.enabled,
                    new TreeSet<>(u.roles), u.groups.stream().map(g -> g.name).collect(Collectors.toCollection(TreeSet::new)),
                    u.lastLoginAt, u.createdAt, u.version);
        }
    }

    public record CreateUser(@NotBlank @Pattern(regexp = NAME) String username,
                             @Size(max = 255) String displayName,
                             @Email @Size(max = 255) String email,
                             @NotNull @Size(min = 8, max = 128) String password,
                             Set<@Pattern(regexp = "admin|operator|user|viewer|auditor") String> roles,
                             Boolean enabled) {
    }

    public record UpdateUser(@Size(max = 255) String displayName,
                             @Email @Size(max = 255) String email,
                             Boolean enabled,
                             Set<@Pattern(regexp = "admin|operator|user|viewer|auditor") String> roles,
                             @NotNull Long version) {
    }

    /** {@code currentPassword}: required when users change their own password (administrators included). */
    public record SetPassword(@NotNull @Size(min = 8, max = 128) String password,
                              @Size(max = 1024) String currentPassword) {
    }

    @Inject
    UserService users;

    @Inject
    SecurityIdentity identity;

    @Operation(summary = "List users (paged and searched)")
    @GET
    public Page<UserView> list(@QueryParam("q") @Size(max = 128) String q,
                               @QueryParam("source") Source source,
                               @QueryParam("enabled") Boolean enabled,
                               @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                               @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size) {
        return users.list(q, source, enabled, page, size).map(UserView::of);
    }

    @Operation(summary = "Read a user")
    @GET
    @Path("/{id}")
    public UserView get(@PathParam("id") long id) {
        return UserView.of(users.get(id));
    }

    @Operation(summary = "Create a local user")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = UserView.class)))
    @POST
    public Response create(@Valid @NotNull CreateUser req) {
        User u = users.create(new UserService.NewUser(req.username(), req.displayName(), req.email(), req.password(),
                req.roles(), req.enabled()));
        return Response.created(URI.create("/api/v1/users/" + u.id)).entity(UserView.of(u)).build();
    }

    @Operation(summary = "Change a user (roles, enabled; LDAP-owned fields are read-only)")
    @PUT
    @Path("/{id}")
    public UserView update(@PathParam("id") long id, @Valid @NotNull UpdateUser req) {
        return UserView.of(users.update(id, new UserService.UserUpdate(req.displayName(), req.email(), req.enabled(),
                req.roles(), req.version())));
    }

    /** Admins set anybody's; every local user may set their own. */
    @Operation(summary = "Set a password (one's own needs the current one; admins reset others)")
    @APIResponse(responseCode = "204", description = "Done, no content")
    @PUT
    @Path("/{id}/password")
    @RolesAllowed({Role.ADMIN, Role.VIEWER})
    public Response password(@PathParam("id") long id, @Valid @NotNull SetPassword req) {
        boolean own = users.get(id).username.equals(identity.getPrincipal().getName());
        if (!identity.hasRole(Role.ADMIN) && !own) {
            throw ApiException.forbidden("only administrators change other users' passwords");
        }
        users.setPassword(id, req.password(), own, req.currentPassword());
        return Response.noContent().build();
    }

    @Operation(summary = "Unlock a user locked out by failed logins")
    @APIResponse(responseCode = "204", description = "Done, no content")
    @POST
    @Path("/{id}/unlock")
    public Response unlock(@PathParam("id") long id) {
        users.unlock(id);
        return Response.noContent().build();
    }

    @Operation(summary = "Delete a local user")
    @APIResponse(responseCode = "204", description = "Done, no content")
    @DELETE
    @Path("/{id}")
    public Response delete(@PathParam("id") long id) {
        users.delete(id);
        return Response.noContent().build();
    }

    static Set<String> names(Set<UserGroup> groups) {
        return groups.stream().map(g -> g.name).collect(Collectors.toCollection(TreeSet::new));
    }
}
