package org.cam.management.access.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import org.cam.management.access.service.EffectiveAccessService;
import org.cam.management.common.Page;
import org.cam.management.identity.Role;

/** Effective access for administrators: what a user may open and through which rule; who may open a target and why. */
@Path("/api/v1/access")
@RolesAllowed(Role.ADMIN)
public class EffectiveAccessResource {

    @Inject
    EffectiveAccessService effective;

    @Operation(summary = "What a user may open, and through which grant or assignment")
    @GET
    @Path("/users/{id}")
    public EffectiveAccessService.ForUser user(@PathParam("id") long id,
                                               @QueryParam("q") @Size(max = 128) String q,
                                               @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                               @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size) {
        return effective.forUser(id, q, page, size);
    }

    @Operation(summary = "Who may open a target, and through which grant or assignment")
    @GET
    @Path("/targets/{id}")
    public EffectiveAccessService.ForTarget target(@PathParam("id") long id,
                                                   @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                                   @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size) {
        return effective.forTarget(id, page, size);
    }
}
