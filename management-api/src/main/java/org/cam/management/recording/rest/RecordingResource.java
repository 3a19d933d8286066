package org.cam.management.recording.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.cam.management.common.ApiException;
import org.cam.management.common.Page;
import org.cam.management.identity.Role;
import org.cam.management.recording.SessionRecording;
import org.cam.management.recording.service.RecordingCatalog;

/**
 * The recordings list (filters, and {@code q} over the typed text), for admins and auditors. A recording's metadata
 * and data are {@link SessionRecordingResource}'s, a target set's policy {@link TargetSetRecordingResource}'s.
 */
@Path("/api/v1/recordings")
public class RecordingResource {

    public record RecordingView(String sessionId, String user, long targetId, String targetName, String mode,
                                Instant startedAt, Instant endedAt, long durationMillis, long bytes, String digest,
                                boolean complete) {
        static RecordingView of(RecordingCatalog.Listed l) {
            SessionRecording r = l.recording();
            return new RecordingView(r.sessionId, r.username, r.targetId, l.targetName(), r.mode, r.startedAt,
                    r.endedAt, r.durationMs, r.bytes, r.digest, r.complete);
        }
    }

    @Inject
    RecordingCatalog recordings;

    @Operation(summary = "Search recordings (filters: user, target id or name, time, typed text; paged)")
    @GET
    @RolesAllowed({Role.ADMIN, Role.AUDITOR})
    public Page<RecordingView> list(@QueryParam("user") @Size(max = 128) String user,
                                    @QueryParam("targetId") @Min(1) Long targetId,
                                    @QueryParam("target") @Size(max = 128) String target,
                                    @QueryParam("from") String from,
                                    @QueryParam("to") String to,
                                    @QueryParam("q") @Size(max = 200) String q,
                                    @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                    @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size) {
        return recordings.list(new RecordingCatalog.Filter(blank(user), targetId, blank(target), instant("from", from),
                instant("to", to), blank(q)), page, size).map(RecordingView::of);
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    private static Instant instant(String field, String v) {
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(v.strip());
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(field, field + " must be an ISO-8601 instant, e.g. 2026-01-31T00:00:00Z");
        }
    }
}
