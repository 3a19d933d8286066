package org.cam.management.device.rest;

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
import org.cam.management.common.RequestInfo;
import org.cam.management.device.Device;
import org.cam.management.device.DeviceOperation;
import org.cam.management.device.DeviceState;
import org.cam.management.device.DeviceStatus;
import org.cam.management.device.FirmwareJob;
import org.cam.management.device.service.DeviceConfiguration;
import org.cam.management.device.service.DevicePower;
import org.cam.management.device.service.FirmwareUpgrades;
import org.cam.management.device.service.DeviceEnrolment;
import org.cam.management.device.service.DeviceService;
import org.cam.management.identity.Role;

import java.time.Instant;
import java.util.List;

/**
 * Devices: what discovery heard, approval (enrolment), rejection, and the operations on managed devices
 * (configuration, firmware, reboot, channel power). Operators and admins.
 */
@Path("/api/v1/devices")
public class DeviceResource {

    public record ChannelView(int channel, Long targetId, String targetName, int port, boolean credentialSet,
                              int sessions, String power) {
    }

    public record DeviceView(long id, String deviceId, DeviceState state, DeviceStatus status, String serial,
                             String model, String firmwareVersion, String name, String address, int httpsPort,
                             int kvmPortFirst, int kvmPortLast, int channelCount, long bootCounter,
                             String advertisedFingerprint, String pinnedFingerprint, String sourceAddress,
                             String heardVia, Instant firstSeen, Instant lastSeen, Instant lastPollAt,
                             int missedPolls, String lastError, boolean switchAttached, DeviceOperation operation, String operationBy,
                             Instant operationStartedAt, String pendingMove, List<ChannelView> channels,
                             long version) {
    }

    public record RenameRequest(@NotBlank @Size(max = 64) String name) {
    }

    public record ChannelNameRequest(@Min(1) @Max(256) int channel, @NotBlank @Size(max = 64) String name) {
    }

    /** A configuration push: the device's name and/or channel names (the channels' targets are renamed too). */
    public record ConfigurationRequest(@Size(min = 1, max = 64) String name,
                                       @Size(max = 256) List<@Valid @NotNull ChannelNameRequest> channels) {
    }

    public record FirmwareRequest(@NotBlank @Size(max = 255) String image,
                                  @NotBlank @Pattern(regexp = "[A-Za-z0-9][A-Za-z0-9._+-]{0,31}",
                                          message = "1..32 letters, digits, . _ + -") String version,
                                  @Pattern(regexp = "[0-9a-fA-F]{64}", message = "64 hex digits") String sha256) {
    }

    public record PowerRequest(@NotNull @Pattern(regexp = "on|off|cycle", message = "on, off or cycle") String action) {
    }

    public record FirmwareJobView(long id, String image, String version, String sha256, long sizeBytes,
                                  FirmwareJob.State state, int progress, String detail, String requestedBy,
                                  Instant createdAt, Instant finishedAt) {
        static FirmwareJobView of(FirmwareJob j) {
            return new FirmwareJobView(j.id, j.image, j.version, j.sha256, j.sizeBytes, j.state, j.progress, j.detail,
                    j.requestedBy, j.createdAt, j.finishedAt);
        }
    }

    @Inject
    DeviceService devices;

    @Inject
    DeviceEnrolment enrolment;

    @Inject
    DeviceConfiguration configuration;

    @Inject
    FirmwareUpgrades firmware;

    @Inject
    DevicePower power;

    @Inject
    RequestInfo info;

    @Operation(summary = "List devices (discovered, pending, managed, rejected; paged and searched)")
    @GET
    @RolesAllowed(Role.OPERATOR)
    public Page<DeviceView> list(@QueryParam("state") DeviceState state,
                                 @QueryParam("status") DeviceStatus status,
                                 @QueryParam("q") @Size(max = 128) String q,
                                 @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                 @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size) {
        return devices.list(state, status, q, page, size).map(d -> view(devices.detail(d)));
    }

    @Operation(summary = "Read a device with its channels, status and current operation")
    @GET
    @Path("/{id}")
    @RolesAllowed(Role.OPERATOR)
    public DeviceView get(@PathParam("id") long id) {
        return view(devices.detail(devices.get(id)));
    }

    @Operation(summary = "Approve (enrol) a discovered device: pin its certificate and create its targets")
    @POST
    @Path("/{id}/approve")
    @RolesAllowed(Role.OPERATOR)
    public DeviceView approve(@PathParam("id") long id) {
        enrolment.approve(id, info.actor(), info.sourceAddress());
        return reload(id);
    }

    @Operation(summary = "Reject a discovered device")
    @POST
    @Path("/{id}/reject")
    @RolesAllowed(Role.OPERATOR)
    public DeviceView reject(@PathParam("id") long id) {
        devices.reject(id, info.actor(), info.sourceAddress());
        return reload(id);
    }

    /** Renames one channel (and its target): a configuration push of that one name. */
    @Operation(summary = "Rename a device channel (its target)")
    @PUT
    @Path("/{id}/channels/{channel}")
    @RolesAllowed(Role.OPERATOR)
    public DeviceView rename(@PathParam("id") long id, @PathParam("channel") @Min(1) @Max(256) int channel,
                             @Valid @NotNull RenameRequest req) {
        configuration.configure(id, null, List.of(new DeviceConfiguration.ChannelName(channel, req.name())), info.actor(),
                info.sourceAddress());
        return reload(id);
    }

    @Operation(summary = "Push a configuration to a managed device")
    @PUT
    @Path("/{id}/configuration")
    @RolesAllowed(Role.OPERATOR)
    public DeviceView configure(@PathParam("id") long id, @Valid @NotNull ConfigurationRequest req) {
        List<DeviceConfiguration.ChannelName> channels = req.channels() == null ? List.of() : req.channels().stream()
                .map(c -> new DeviceConfiguration.ChannelName(c.channel(), c.name())).toList();
        configuration.configure(id, req.name(), channels, info.actor(), info.sourceAddress());
        return reload(id);
    }

    /** Starts a firmware upgrade with an image of the library ({@code GET /api/v1/firmware}); 202 and the job. */
    @Operation(summary = "Start a firmware upgrade from the firmware library")
    @APIResponse(responseCode = "202", description = "Accepted: the device writes the image", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = FirmwareJobView.class)))
    @POST
    @Path("/{id}/firmware")
    @RolesAllowed(Role.OPERATOR)
    public Response upgrade(@PathParam("id") long id, @Valid @NotNull FirmwareRequest req) {
        FirmwareJob job = firmware.upgrade(id, req.image(), req.version(), req.sha256(), info.actor(),
                info.sourceAddress());
        return Response.accepted(FirmwareJobView.of(job)).build();
    }

    @Operation(summary = "List a device's firmware jobs with their progress")
    @GET
    @Path("/{id}/firmware")
    @RolesAllowed(Role.OPERATOR)
    public List<FirmwareJobView> firmwareJobs(@PathParam("id") long id) {
        return firmware.jobs(id).stream().map(FirmwareJobView::of).toList();
    }

    @Operation(summary = "Reboot a managed device")
    @APIResponse(responseCode = "202", description = "Accepted: the device reboots", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = DeviceView.class)))
    @POST
    @Path("/{id}/reboot")
    @RolesAllowed(Role.OPERATOR)
    public Response reboot(@PathParam("id") long id) {
        power.reboot(id, info.actor(), info.sourceAddress());
        return Response.accepted(reload(id)).build();
    }

    @Operation(summary = "Switch a channel's server on, off or through a power cycle")
    @POST
    @Path("/{id}/channels/{channel}/power")
    @RolesAllowed(Role.OPERATOR)
    public DeviceView power(@PathParam("id") long id, @PathParam("channel") @Min(1) @Max(256) int channel,
                            @Valid @NotNull PowerRequest req) {
        power.power(id, channel, req.action(), info.actor(), info.sourceAddress());
        return reload(id);
    }

    @Operation(summary = "Forget a device")
    @APIResponse(responseCode = "204", description = "Done, no content")
    @DELETE
    @Path("/{id}")
    @RolesAllowed(Role.OPERATOR)
    public Response delete(@PathParam("id") long id) {
        devices.delete(id, info.actor(), info.sourceAddress());
        return Response.noContent().build();
    }

    private DeviceView reload(long id) {
        return view(devices.reloaded(id));
    }

    static DeviceView view(DeviceService.Detail detail) {
        Device d = detail.device();
        java.util.Map<Long, String> names = detail.targetNames();
        List<ChannelView> channels = detail.channels().stream()
                .map(c -> new ChannelView(c.channel, c.targetId, c.targetId == null ? null : names.get(c.targetId),
                        d.kvmPortFirst + c.channel - 1, c.credentialEnc != null, c.sessions, c.power))
                .toList();
        return new DeviceView(d.id, d.mac, d.state, d.status, d.serial, d.model, d.firmwareVersion, d.name, d.address,
                d.httpsPort, d.kvmPortFirst, d.kvmPortLast, d.channelCount, d.bootCounter, d.advertisedFingerprint,
                d.pinnedFingerprint, d.sourceAddress, d.heardVia, d.firstSeen, d.lastSeen, d.lastPollAt, d.missedPolls,
                d.lastError, d.switchAttached, d.operation, d.operationBy, d.operationStartedAt, d.pendingEndpoint(),
                channels, d.version);
    }
}
