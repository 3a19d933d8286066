package org.cam.discovery.device.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.cam.discovery.device.DeviceRegistry;
import org.cam.rest.problem.ProblemException;
import org.cam.discovery.scan.Ipv4;
import org.cam.protocol.discovery.MacAddress;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;

@Path("/api/v1/discoveries")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "bearer")
public class DiscoveryResource {

    @Inject
    DeviceRegistry registry;

    @GET
    @Operation(summary = "Devices heard, optionally filtered")
    public List<DiscoveryView> list(
            @Parameter(description = "true: only stale devices; false: only fresh ones") @QueryParam("stale") String stale,
            @Parameter(description = "IPv4 CIDR the device's address must be in, e.g. 10.0.0.0/24") @QueryParam("subnet") String subnet,
            @Parameter(description = "exact model name") @QueryParam("model") String model) {
        Boolean staleFilter = null;
        if (stale != null) {
            String s = stale.trim().toLowerCase(Locale.ROOT);
            if (!s.equals("true") && !s.equals("false")) {
                throw ProblemException.badRequest("stale", "stale must be true or false");
            }
            staleFilter = Boolean.valueOf(s);
        }
        Ipv4.Cidr cidr = null;
        if (subnet != null) {
            try {
                cidr = Ipv4.Cidr.parse(subnet);
            } catch (IllegalArgumentException e) {
                throw ProblemException.badRequest("subnet", e.getMessage());
            }
        }
        Boolean wantStale = staleFilter;
        Ipv4.Cidr in = cidr;
        return registry.all().stream()
                .map(d -> DiscoveryView.of(d, registry.isStale(d)))
                .filter(v -> wantStale == null || v.stale() == wantStale)
                .filter(v -> model == null || model.equals(v.model()))
                .filter(v -> in == null || in.contains(Ipv4.parse(v.address())) || in.contains(Ipv4.parse(v.sourceAddress())))
                .sorted(Comparator.comparing(DiscoveryView::deviceId))
                .toList();
    }

    @GET
    @Path("/{deviceId}")
    @Operation(summary = "One device by id (its MAC address, aa:bb:cc:dd:ee:ff)")
    public DiscoveryView get(@PathParam("deviceId") String deviceId) {
        String id;
        try {
            id = MacAddress.parse(deviceId).toString();
        } catch (IllegalArgumentException e) {
            throw ProblemException.badRequest("deviceId", e.getMessage());
        }
        return registry.find(id).map(d -> DiscoveryView.of(d, registry.isStale(d)))
                .orElseThrow(() -> ProblemException.notFound("no device " + id + " has been heard"));
    }
}
