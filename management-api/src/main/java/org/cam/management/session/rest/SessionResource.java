package org.cam.management.session.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import org.cam.management.common.Page;
import org.cam.management.common.RequestInfo;
import org.cam.management.config.ManagementConfig;
import org.cam.management.identity.Role;
import org.cam.management.session.KvmSession;
import org.cam.management.session.SessionState;
import com.fasterxml.jackson.annotation.JsonInclude;
import org.cam.management.session.SessionLeg;
import org.cam.management.session.service.SessionRequests;
import org.cam.management.session.service.SessionResumes;
import org.cam.management.target.Target;
import org.cam.protocol.ticket.TicketMode;

import java.net.URI;
import java.time.Instant;
import java.util.List;

@Path("/api/v1/sessions")
public class SessionResource {

    /** mode: control | view (any case). */
    public record SessionRequest(@NotNull @Min(1) Long targetId,
                                 @NotNull @Pattern(regexp = "(?i)control|view") String mode) {
    }

    /**
     * The answer to a request: names clients rely on (sessionId, ticket, vncPassword, expiresAt, rfb, rfbTls,
     * websocketUrl), and what the broker will enforce, for the console to show: {@code clipboard} (BOTH, TO_TARGET,
     * NONE), {@code idleTimeoutSeconds} and {@code maxDurationSeconds} (0: the broker's own default).
     */
    public record Opened(String sessionId, String ticket, String vncPassword, Instant expiresAt, String rfb,
                         String rfbTls, String websocketUrl, long targetId, String mode, String clipboard,
                         int idleTimeoutSeconds, int maxDurationSeconds, boolean recorded) {
    }

    /**
     * A session; {@code brokerId}, {@code clientAddress} and the bytes are its current leg's broker and client and the
     * sum over its legs; {@code legs} lists each broker connection that carried it (in the list: omitted).
     */
    public record SessionView(String id, String user, long targetId, String targetName, String mode, SessionState state,
                              Instant createdAt, Instant expiresAt, Instant claimedAt, String brokerId,
                              String clientAddress, Instant endedAt, String endReason, Long bytesFromClient,
                              Long bytesFromDevice, String disconnectRequestedBy, String disconnectMessage,
                              boolean recorded, int legCount, Instant resumeUntil,
                              @JsonInclude(JsonInclude.Include.NON_NULL) List<LegView> legs) {
        static SessionView of(KvmSession s) {
            return of(s, null);
        }

        static SessionView withLegs(KvmSession s) {
            return of(s, SessionLeg.ofSession(s.id).stream().map(LegView::of).toList());
        }

        private static SessionView of(KvmSession s, List<LegView> legs) {
            Target t = Target.findById(s.targetId);
            return new SessionView(s.id, s.username, s.targetId, t == null ? null : t.name, s.mode.name(), s.state,
                    s.createdAt, s.expiresAt, s.claimedAt, s.brokerId, s.clientAddress, s.endedAt, s.endReason,
                    s.bytesFromClient, s.bytesFromDevice, s.terminateBy, s.terminateMessage, s.recorded, s.legs,
                    s.resumeUntil, legs);
        }
    }

    /** One broker connection of a session; null bytes: its broker never reported them (it was killed). */
    public record LegView(int leg, String brokerId, String clientAddress, Instant claimedAt, Instant endedAt,
                          String endReason, Long bytesFromClient, Long bytesFromDevice) {
        static LegView of(SessionLeg l) {
            return new LegView(l.leg, l.brokerId, l.clientAddress, l.claimedAt, l.endedAt, l.endReason,
                    l.bytesFromClient, l.bytesFromDevice);
        }
    }

    /** A resume ticket for the session's next leg, and where to present it. */
    public record Resumed(String sessionId, String ticket, Instant expiresAt, String websocketUrl, int leg) {
    }

    @Inject
    SessionRequests sessions;

    @Inject
    SessionResumes resumes;

    @Inject
    SecurityIdentity identity;

    @Inject
    RequestInfo info;

    @Inject
    ManagementConfig config;

    @Operation(summary = "Request a console session on a target: a signed ticket and a one-time VNC password")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = Opened.class)))
    @POST
    @RolesAllowed(Role.VIEWER)
    public Response open(@Valid @NotNull SessionRequest req) {
        TicketMode mode = TicketMode.valueOf(req.mode().toUpperCase());
        SessionRequests.Issued i = sessions.request(identity, req.targetId(), mode, info.sourceAddress());
        ManagementConfig.Sessions c = config.sessions();
        return Response.created(URI.create("/api/v1/sessions/" + i.session().id))
                .entity(new Opened(i.session().id, i.ticket(), i.vncPassword(), i.session().expiresAt,
                        c.brokerRfb(), c.brokerRfbTls(), c.brokerWebsocketUrl(), i.session().targetId, mode.name(),
                        i.session().clipboard.name(), c.idleTimeoutSeconds(), c.maxDurationSeconds(),
                        i.session().recorded))
                .build();
    }

    /** Operators and admins see every session; others their own. */
    @Operation(summary = "List sessions, active and past (one's own; all for operators and auditors)")
    @GET
    @RolesAllowed({Role.VIEWER, Role.AUDITOR})
    public Page<SessionView> list(@QueryParam("state") SessionState state,
                                  @QueryParam("targetId") Long targetId,
                                  @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                  @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size) {
        return sessions.list(identity, state, targetId, page, size).map(SessionView::of);
    }

    @Operation(summary = "Read a session")
    @GET
    @Path("/{id}")
    @RolesAllowed({Role.VIEWER, Role.AUDITOR})
    public SessionView get(@PathParam("id") @Size(max = 64) String id) {
        return SessionView.withLegs(sessions.get(identity, id));
    }

    /**
     * The console lost its broker (the broker drained and asked it to resume, or the connection dropped): a ticket
     * for the same session's next leg, which any broker claims once. The owner only; not for a session that ended,
     * that an operator disconnected, or whose resume window closed.
     */
    @Operation(summary = "Resume a session through another broker: a ticket for its next leg (the owner only)")
    @APIResponse(responseCode = "200", description = "The resume ticket", content = @Content(
            mediaType = "application/json", schema = @Schema(implementation = Resumed.class)))
    @POST
    @Path("/{id}/resume")
    @RolesAllowed(Role.VIEWER)
    public Resumed resume(@PathParam("id") @Size(max = 64) String id) {
        SessionResumes.Resumed r = resumes.resume(identity, id, info.sourceAddress());
        return new Resumed(r.session().id, r.ticket(), Instant.now().plus(config.sessions().ticketTtl()),
                config.sessions().brokerWebsocketUrl(), r.leg());
    }

    /** 204 when a PENDING session ended at once; 202 when its broker will disconnect it at its next heartbeat. */
    @Operation(summary = "Disconnect a session, with a message shown to its user")
    @APIResponse(responseCode = "204", description = "A PENDING session ended at once")
    @APIResponse(responseCode = "202", description = "Its broker ends the session at its next heartbeat")
    @DELETE
    @Path("/{id}")
    @RolesAllowed(Role.OPERATOR)
    public Response disconnect(@PathParam("id") @Size(max = 64) String id,
                               @QueryParam("message") @Size(max = 200) String message) {
        return sessions.disconnect(id, info.actor(), info.sourceAddress(), message)
                ? Response.noContent().build() : Response.accepted().build();
    }
}
