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
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.cam.management.common.RequestInfo;
import org.cam.management.identity.Role;
import org.cam.management.peer.service.DiscoveryScans;

import java.net.URI;
import java.util.List;

/**
 * Discovery scans through discovery-service (operators and admins): start one, follow it, see who answered. The
 * addresses are checked by discovery-service, whose problems (with their field) come back as ours.
 */
@Path("/api/v1/discovery/scans")
@RolesAllowed(Role.OPERATOR)
public class ScanResource {

    /** As discovery-service takes it: broadcast addresses and/or a CIDR to sweep; port auto, 3080 or 3081. */
    public record ScanRequest(@Size(max = 16) List<@NotBlank @Size(max = 64) String> broadcast,
                              @Size(max = 64) String cidr,
                              @Pattern(regexp = "auto|\\d{1,5}") String port,
                              @Min(1) @Max(60000) Long timeoutMs) {
    }

    @Inject
    DiscoveryScans scans;

    @Inject
    RequestInfo info;

    /** Recent scans, oldest first, as discovery-service lists them. */
    @Operation(summary = "List discovery scans")
    // discovery-service's answers passed through: free-form here (its own document has the fields), not Jackson's
    // JsonNode bean, which generated clients would read as a record of booleans.
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = "application/json",
            schema = @Schema(type = SchemaType.ARRAY, implementation = Object.class)))
    @GET
    public JsonNode list() {
        return scans.list();
    }

    @Operation(summary = "Read a discovery scan and what it found")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = "application/json",
            schema = @Schema(type = SchemaType.OBJECT)))
    @GET
    @Path("/{id}")
    public JsonNode get(@PathParam("id") @Pattern(regexp = "[A-Za-z0-9_-]{1,64}") String id) {
        return scans.get(id);
    }

    /** 202 with {id, status}; follow it at /api/v1/discovery/scans/{id}. */
    @Operation(summary = "Start a discovery scan through discovery-service")
    @APIResponse(responseCode = "202", description = "Accepted", content = @Content(mediaType = "application/json",
            schema = @Schema(type = SchemaType.OBJECT)))
    @POST
    public Response start(@Valid @NotNull ScanRequest req) {
        JsonNode accepted = scans.start(req.broadcast(), req.cidr(), req.port(), req.timeoutMs(), info.actor(),
                info.sourceAddress());
        String id = accepted.path("id").asText();
        if (accepted instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
            o.remove("location");   // discovery-service's own address: ours is in the Location header
        }
        return Response.accepted(accepted).location(URI.create("/api/v1/discovery/scans/" + id)).build();
    }
}
