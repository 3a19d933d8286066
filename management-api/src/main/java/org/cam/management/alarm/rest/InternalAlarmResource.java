package org.cam.management.alarm.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import org.cam.management.alarm.Alarm;
import org.cam.management.alarm.service.AlarmService;

import java.util.Map;

/**
 * Other services raise and clear their alarms here. The body is replication-monitor's webhook payload
 * (org.cam.replication.alarm.AlarmEvent): {@code action} RAISE|CLEAR, {@code alarm} a stable key, severity, detail;
 * further fields are ignored. The source is the caller's service identity, never the body's, so one service cannot
 * clear another's alarms.
 */
@Path("/api/v1/internal/alarms")
public class InternalAlarmResource {

    public record AlarmNotice(@NotNull @Pattern(regexp = "RAISE|CLEAR") String action,
                              @NotBlank @Size(max = 200) String alarm,
                              @Size(max = 16) String severity,
                              @Size(max = 2000) String detail,
                              @Size(max = 64) String objectType,
                              @Size(max = 128) String objectId) {
    }

    @Inject
    AlarmService alarms;

    @Inject
    SecurityIdentity identity;

    @Operation(summary = "A peer service raises or clears an alarm (service token)")
    @POST
    @RolesAllowed({"service:replication-monitor", "service:discovery", "service:broker"})
    public Map<String, Object> notice(@Valid @NotNull AlarmNotice n) {
        String source = identity.getPrincipal().getName();
        if (n.action().equals("RAISE")) {
            String severity = n.severity() == null || n.severity().isBlank() ? "MAJOR" : n.severity();
            Alarm a = alarms.raiseNow(new AlarmService.Raise(source, n.alarm(), severity, n.objectType(), n.objectId(),
                    n.detail()));
            return Map.of("status", "raised", "id", a.id);
        }
        return Map.of("status", alarms.clearNow(source, n.alarm(), n.detail()) ? "cleared" : "not raised");
    }
}
