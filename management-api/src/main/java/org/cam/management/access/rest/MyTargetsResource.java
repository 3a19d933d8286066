package org.cam.management.access.rest;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import org.cam.management.access.service.AccessService;
import org.cam.management.common.Page;
import org.cam.management.identity.Role;
import org.cam.management.target.rest.TargetResource;
import org.cam.management.target.service.TargetService;
import org.eclipse.microprofile.openapi.annotations.Operation;

@Path("/api/v1/me/targets")
public class MyTargetsResource {

    @Inject
    AccessService access;

    @Inject
    SecurityIdentity identity;

    @Inject
    org.cam.management.target.service.TargetPages pages;

    @GET
    @RolesAllowed(Role.VIEWER)
    @Operation(summary = "The targets the caller may open, each with its access level (FULL_CONTROL or VIEW_ONLY)")
    public Page<TargetResource.TargetView> mine(@QueryParam("q") @Size(max = 128) String q,
                                                @QueryParam("tag") @Size(max = 64) String tag,
                                                @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                                @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size) {
        return pages.visible(identity, new TargetService.Filter(q, tag, null), page, size);
    }
}
