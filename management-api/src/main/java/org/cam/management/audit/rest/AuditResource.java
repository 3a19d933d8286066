package org.cam.management.audit.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.cam.management.audit.AuditEvent;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.common.Page;
import org.cam.management.identity.Role;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;

@Path("/api/v1/audit-events")
@RolesAllowed({Role.ADMIN, Role.AUDITOR})
public class AuditResource {
    public record AuditEventView(long id, Instant occurredAt, String actor, String action, String objectType,
                                 String objectId, String outcome, String sourceAddress, String details) {
        static AuditEventView of(AuditEvent e) {
            return new AuditEventView(e.id, e.occurredAt, e.actor, e.action, e.objectType, e.objectId, e.outcome,
                    e.sourceAddress, e.details);
        }
    }

    private static final int EXPORT_MAX = 100_000;

    @Inject
    AuditService audit;

    /**
     * Filtered, newest first. {@code format=csv} (or Accept: text/csv) exports up to 100,000 rows as CSV;
     * {@code format=json} with {@code export=true} likewise as a JSON array.
     */
    @Operation(summary = "Search the audit trail (filters: actor, action, object, outcome, time; paged; CSV or JSON)")
    @APIResponse(responseCode = "200", description = "A page of events (items, page, size, total); with export=true all"
            + " matching events (up to 100,000) as a JSON array; as CSV with format=csv or when Accept prefers text/csv",
            content = {@Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT)),
                    @Content(mediaType = "text/csv", schema = @Schema(type = SchemaType.STRING))})
    @GET
    @Produces({MediaType.APPLICATION_JSON, "text/csv"})
    public Response list(@QueryParam("actor") String actor,
                         @QueryParam("action") String action,
                         @QueryParam("objectType") String objectType,
                         @QueryParam("objectId") String objectId,
                         @QueryParam("outcome") @Pattern(regexp = "SUCCESS|FAILURE|DENIED") String outcome,
                         @QueryParam("from") String from,
                         @QueryParam("to") String to,
                         @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                         @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size,
                         @QueryParam("format") @Pattern(regexp = "json|csv") String format,
                         @QueryParam("export") @DefaultValue("false") boolean export,
                         @jakarta.ws.rs.core.Context HttpHeaders headers) {
        AuditService.Filter f = new AuditService.Filter(blank(actor), blank(action), blank(objectType),
                blank(objectId), blank(outcome), instant("from", from), instant("to", to));
        // Accept decides only by preference: the first of JSON and CSV it accepts (in q order), so a client that
        // names both, JSON first (as generated clients do), gets JSON.
        boolean csv = "csv".equals(format) || (format == null && headers.getAcceptableMediaTypes().stream()
                .filter(m -> m.isCompatible(MediaType.APPLICATION_JSON_TYPE) || isCsv(m))
                .findFirst().map(AuditResource::isCsv).orElse(false));
        if (csv) {
            List<AuditEvent> rows = audit.find(f, 0, EXPORT_MAX);
            return Response.ok(toCsv(rows), "text/csv; charset=UTF-8")
                    .header("Content-Disposition", "attachment; filename=\"audit-events.csv\"").build();
        }
        if (export) {
            List<AuditEventView> rows = audit.find(f, 0, EXPORT_MAX).stream().map(AuditEventView::of).toList();
            return Response.ok(rows, MediaType.APPLICATION_JSON)
                    .header("Content-Disposition", "attachment; filename=\"audit-events.json\"").build();
        }
        List<AuditEventView> items = audit.find(f, page, size).stream().map(AuditEventView::of).toList();
        return Response.ok(new Page<>(items, page, size, audit.count(f)), MediaType.APPLICATION_JSON).build();
    }

    private static boolean isCsv(MediaType m) {
        return m.getType().equals("text") && m.getSubtype().equals("csv");
    }

    static String toCsv(List<AuditEvent> rows) {
        StringBuilder sb = new StringBuilder("id,occurredAt,actor,action,objectType,objectId,outcome,sourceAddress,details\n");
        for (AuditEvent e : rows) {
            sb.append(e.id).append(',').append(e.occurredAt).append(',').append(cell(e.actor)).append(',')
                    .append(cell(e.action)).append(',').append(cell(e.objectType)).append(',')
                    .append(cell(e.objectId)).append(',').append(cell(e.outcome)).append(',')
                    .append(cell(e.sourceAddress)).append(',').append(cell(e.details)).append('\n');
        }
        return sb.toString();
    }

    public static String cell(String s) {
        if (s == null) {
            return "";
        }
        // Neutralise spreadsheet formulas as well as quoting (CSV injection).
        String v = (!s.isEmpty() && "=+-@".indexOf(s.charAt(0)) >= 0) ? "'" + s : s;
        if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
            v = "\"" + v.replace("\"", "\"\"") + "\"";
        }
        return v;
    }

    private static String blank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static Instant instant(String field, String s) {
        if (s == null || s.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest(field, field + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }
}
