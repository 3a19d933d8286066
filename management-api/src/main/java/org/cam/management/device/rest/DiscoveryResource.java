package org.cam.management.device.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.cam.management.common.RequestInfo;
import org.cam.management.device.service.DeviceDiscoveries;

import java.time.Instant;
import java.util.Map;

/** discovery-service -> management-api (docs/protocols/discovery.md, "Forwarding to management-api"). */
@Path("/api/v1/internal/discoveries")
public class DiscoveryResource {
    static final String IPV4 = "^((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$";

    public record DiscoveryNotice(
            @NotNull @Pattern(regexp = "^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$") String deviceId,
            @NotNull @Min(0) Long version,
            @Size(max = 64) String serial,
            @Size(max = 64) String model,
            @Size(max = 64) String firmwareVersion,
            @Size(max = 128) String name,
            @NotBlank @Pattern(regexp = IPV4) String address,
            @NotNull @Min(1) @Max(65535) Integer httpsPort,
            @NotNull @Min(1) @Max(65535) Integer kvmPortFirst,
            @NotNull @Min(1) @Max(65535) Integer kvmPortLast,
            @NotNull @Min(1) @Max(256) Integer channelCount,
            @Min(0) Long bootCounter,
            @NotNull @Pattern(regexp = "^[0-9a-fA-F]{64}$") String certificateFingerprint,
            @Size(max = 64) String sourceAddress,
            @Size(max = 32) String heardVia,
            Instant firstSeen,
            Instant lastSeen) {
    }

    @Inject
    DeviceDiscoveries discoveries;

    @Inject
    RequestInfo info;

    @Operation(summary = "discovery-service reports a device it heard (service token)")
    @POST
    @RolesAllowed("service:discovery")
    public Map<String, Object> notice(@Valid @NotNull DiscoveryNotice n) {
        if (n.kvmPortLast() < n.kvmPortFirst()) {
            throw org.cam.management.common.ApiException.badRequest("kvmPortLast", "kvmPortLast < kvmPortFirst");
        }
        DeviceDiscoveries.Upserted u = discoveries.upsert(new DeviceDiscoveries.Notice(n.deviceId(), n.version(),
                n.serial(), n.model(), n.firmwareVersion(), n.name(), n.address(), n.httpsPort(), n.kvmPortFirst(),
                n.kvmPortLast(), n.channelCount(), n.bootCounter() == null ? 0 : n.bootCounter(),
                n.certificateFingerprint(), n.sourceAddress(), n.heardVia(), n.firstSeen(), n.lastSeen()),
                info.actor(), info.sourceAddress());
        return Map.of("status", u.status(), "id", u.id());
    }
}
