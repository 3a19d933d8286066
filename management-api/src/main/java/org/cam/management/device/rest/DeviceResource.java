package org.cam.management.device.rest;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
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
import org.cam.management.common.RequestInfo;
import org.cam.management.device.Device;
import org.cam.management.device.DeviceChannel;
import org.cam.management.device.DeviceState;
import org.cam.management.device.DeviceStatus;
import org.cam.management.device.service.DeviceService;
import org.cam.management.identity.Role;
import org.cam.management.target.Target;

import java.time.Instant;
import java.util.List;

/** Devices: what discovery heard, approval (enrolment), rejection, channel names. Operators and admins. */
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
                             int missedPolls, String lastError, List<ChannelView> channels, long version) {
    }

    public record RenameRequest(@NotBlank @Size(max = 128) String name) {
    }

    @Inject
    DeviceService devices;

    @Inject
    RequestInfo info;

    @GET
    @Transactional
    @RolesAllowed(Role.OPERATOR)
    public Page<DeviceView> list(@QueryParam("state") DeviceState state,
                                 @QueryParam("status") DeviceStatus status,
                                 @QueryParam("q") @Size(max = 128) String q,
                                 @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                 @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size) {
        return devices.list(state, status, q, page, size).map(DeviceResource::view);
    }

    @GET
    @Path("/{id}")
    @Transactional
    @RolesAllowed(Role.OPERATOR)
    public DeviceView get(@PathParam("id") long id) {
        return view(devices.get(id));
    }

    @POST
    @Path("/{id}/approve")
    @RolesAllowed(Role.OPERATOR)
    public DeviceView approve(@PathParam("id") long id) {
        devices.approve(id, info.actor(), info.sourceAddress());
        return reload(id);
    }

    @POST
    @Path("/{id}/reject")
    @RolesAllowed(Role.OPERATOR)
    public DeviceView reject(@PathParam("id") long id) {
        devices.reject(id, info.actor(), info.sourceAddress());
        return reload(id);
    }

    @PUT
    @Path("/{id}/channels/{channel}")
    @RolesAllowed(Role.OPERATOR)
    public DeviceView rename(@PathParam("id") long id, @PathParam("channel") @Min(1) @Max(256) int channel,
                             @Valid @NotNull RenameRequest req) {
        devices.renameChannel(id, channel, req.name(), info.actor(), info.sourceAddress());
        return reload(id);
    }

    @DELETE
    @Path("/{id}")
    @RolesAllowed(Role.OPERATOR)
    public Response delete(@PathParam("id") long id) {
        devices.delete(id, info.actor(), info.sourceAddress());
        return Response.noContent().build();
    }

    private DeviceView reload(long id) {
        return io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().call(() -> view(devices.get(id)));
    }

    static DeviceView view(Device d) {
        List<DeviceChannel> rows = DeviceChannel.list("deviceId = ?1 order by channel", d.id);
        List<Long> targetIds = rows.stream().map(c -> c.targetId).filter(java.util.Objects::nonNull).toList();
        java.util.Map<Long, String> names = targetIds.isEmpty() ? java.util.Map.of()
                : Target.<Target>list("id in ?1", targetIds).stream()
                .collect(java.util.stream.Collectors.toMap(t -> t.id, t -> t.name));
        List<ChannelView> channels = rows.stream()
                .map(c -> new ChannelView(c.channel, c.targetId, c.targetId == null ? null : names.get(c.targetId),
                        d.kvmPortFirst + c.channel - 1, c.credentialEnc != null, c.sessions, c.power))
                .toList();
        return new DeviceView(d.id, d.mac, d.state, d.status, d.serial, d.model, d.firmwareVersion, d.name, d.address,
                d.httpsPort, d.kvmPortFirst, d.kvmPortLast, d.channelCount, d.bootCounter, d.advertisedFingerprint,
                d.pinnedFingerprint, d.sourceAddress, d.heardVia, d.firstSeen, d.lastSeen, d.lastPollAt, d.missedPolls,
                d.lastError, channels, d.version);
    }
}
