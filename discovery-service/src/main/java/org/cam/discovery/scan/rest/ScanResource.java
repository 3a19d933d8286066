package org.cam.discovery.scan.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import java.util.List;
import org.cam.rest.problem.ProblemException;
import org.cam.discovery.scan.Scan;
import org.cam.discovery.scan.ScanRequest;
import org.cam.discovery.scan.ScanService;
import org.cam.discovery.scan.ScanView;
import org.eclipse.microprofile.openapi.annotations.Operation;

@Path("/api/v1/scans")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "bearer")
public class ScanResource {

    /** The 202 body: where to follow the scan. */
    public record Accepted(String id, String status, String location) {
    }

    @Inject
    ScanService scans;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Start a scan: DISCOVER to broadcast addresses and/or a unicast sweep of a CIDR")
    public Response start(ScanRequest request, @Context UriInfo uri) {
        Scan scan = scans.start(request);
        var location = uri.getAbsolutePathBuilder().path(scan.id()).build();
        return Response.accepted(new Accepted(scan.id(), scan.status().name(), location.toString()))
                .location(location).build();
    }

    @GET
    @Operation(summary = "Recent scans, oldest first")
    public List<ScanView> list() {
        return scans.list();
    }

    @GET
    @Path("/{id}")
    @Operation(summary = "Progress of a scan and the devices that answered it")
    public ScanView get(@PathParam("id") String id) {
        return scans.view(id).orElseThrow(() -> ProblemException.notFound("no scan " + id));
    }
}
