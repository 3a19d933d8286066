package org.cam.management.alarm.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import org.cam.management.alarm.Alarm;
import org.cam.management.alarm.service.AlarmService;
import org.cam.management.common.Page;
import org.cam.management.common.RequestInfo;
import org.cam.management.identity.Role;

import java.time.Instant;

@Path("/api/v1/alarms")
public class AlarmResource {

    public record AlarmView(long id, String source, String key, String severity, String state, String objectType,
                            String objectId, String message, Instant raisedAt, Instant clearedAt,
                            Instant acknowledgedAt, String acknowledgedBy) {
        public static AlarmView of(Alarm a) {
            return new AlarmView(a.id, a.source, a.alarmKey, a.severity, a.state, a.objectType, a.objectId, a.message,
                    a.raisedAt, a.clearedAt, a.acknowledgedAt, a.acknowledgedBy);
        }
    }

    @Inject
    AlarmService alarms;

    @Inject
    RequestInfo info;

    @Operation(summary = "List alarms (filters: state, source, key, acknowledged; paged)")
    @GET
    @RolesAllowed(Role.OPERATOR)
    public Page<AlarmView> list(@QueryParam("state") @Pattern(regexp = "RAISED|CLEARED") String state,
                                @QueryParam("source") @Size(max = 128) String source,
                                @QueryParam("key") @Size(max = 255) String key,
                                @QueryParam("acknowledged") Boolean acknowledged,
                                @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size) {
        return alarms.list(state, source, key, acknowledged, page, size).map(AlarmView::of);
    }

    @Operation(summary = "Acknowledge an alarm")
    @POST
    @Path("/{id}/acknowledge")
    @RolesAllowed(Role.OPERATOR)
    public AlarmView acknowledge(@PathParam("id") long id) {
        return AlarmView.of(alarms.acknowledge(id, info.actor(), info.sourceAddress()));
    }
}
