package org.cam.management.session.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import org.cam.management.common.ApiException;
import org.cam.management.common.RequestInfo;
import org.cam.management.session.service.ChannelCredentials;
import org.cam.management.session.service.SessionClaims;
import org.cam.protocol.rfb.VncAuth;

import java.time.Instant;
import java.util.Base64;
import java.util.List;

/** The internal broker API (docs/protocols/broker-api.md); the broker's service token only. */
@Path("/api/v1/internal")
@RolesAllowed("service:broker")
public class BrokerResource {

    /** ticketIssuedAt: from the verified ticket; a resumed leg is claimed only with a ticket issued for it. */
    public record ClaimRequest(@NotBlank @Size(max = 128) String brokerId, @Size(max = 64) String clientAddress,
                               Instant ticketIssuedAt) {
    }

    public record VncClaimRequest(@NotBlank @Size(max = 128) String brokerId, @Size(max = 64) String clientAddress,
                                  @NotBlank @Size(max = 64) String challenge, @NotBlank @Size(max = 64) String response) {
    }

    public record EndRequest(@Size(max = 128) String brokerId, @NotBlank @Size(max = 64) String reason,
                             @Min(0) Long bytesFromClient, @Min(0) Long bytesFromDevice, Instant endedAt,
                             @Valid org.cam.management.recording.RecordingOutcome recording,
                             @Min(0) Integer leg, Boolean resumable) {
    }

    /** The claim and, when the session is recorded, how (the broker's Claim.recording). */
    public record ClaimAnswer(@com.fasterxml.jackson.annotation.JsonUnwrapped SessionClaims.Claimed claim,
                              org.cam.management.recording.service.RecordingPolicies.Decision recording) {
    }

    @Inject
    org.cam.management.recording.service.RecordingPolicies recordingPolicies;

    public record Heartbeat(@Size(max = 100_000) List<@NotNull @Size(max = 64) String> activeSessionIds,
                            Boolean draining) {
    }

    @Inject
    SessionClaims sessions;

    @Inject
    RequestInfo info;

    @Inject
    ChannelCredentials credentials;

    @Operation(summary = "A broker claims a session by its ticket; the answer is the device endpoint")
    @POST
    @Path("/sessions/{id}/claim")
    public ClaimAnswer claim(@PathParam("id") @Size(max = 64) String id, @Valid @NotNull ClaimRequest req) {
        return withRecording(credentials.issue(sessions.claim(id, req.brokerId(), req.clientAddress(),
                req.ticketIssuedAt(), info.actor()), info.actor()));
    }

    @Operation(summary = "A broker claims a session by a VNC client's response to its challenge")
    @POST
    @Path("/sessions/claim-by-vnc-response")
    public ClaimAnswer claimByVnc(@Valid @NotNull VncClaimRequest req) {
        byte[] challenge = bytes16("challenge", req.challenge());
        byte[] response = bytes16("response", req.response());
        return withRecording(credentials.issue(sessions.claimByVnc(challenge, response, req.brokerId(),
                req.clientAddress(), info.actor()), info.actor()));
    }

    private ClaimAnswer withRecording(SessionClaims.Claimed c) {
        return new ClaimAnswer(c, recordingPolicies.forSession(c.sessionId()));
    }

    @Operation(summary = "A broker reports a session's end (reason, bytes, recording digest)")
    @APIResponse(responseCode = "204", description = "Done, no content")
    @POST
    @Path("/sessions/{id}/end")
    public Response end(@PathParam("id") @Size(max = 64) String id, @Valid @NotNull EndRequest req) {
        sessions.endReport(id, new SessionClaims.EndReport(req.brokerId(), req.reason(), req.bytesFromClient(),
                req.bytesFromDevice(), req.endedAt(), req.recording(), req.leg(), Boolean.TRUE.equals(req.resumable())),
                info.actor());
        return Response.noContent().build();
    }

    @Operation(summary = "A broker's heartbeat: its sessions; the answer says which to terminate (an operator's"
            + " disconnect) and which moved to another broker (superseded)")
    @POST
    @Path("/brokers/{brokerId}/heartbeat")
    public SessionClaims.HeartbeatAnswer heartbeat(@PathParam("brokerId") @Size(min = 1, max = 128) String brokerId,
                                                   @Valid @NotNull Heartbeat hb) {
        List<String> active = hb.activeSessionIds() == null ? List.of() : hb.activeSessionIds();
        return sessions.heartbeat(brokerId, java.util.Set.copyOf(active), Boolean.TRUE.equals(hb.draining()),
                info.actor());
    }

    private static byte[] bytes16(String field, String b64) {
        byte[] b;
        try {
            b = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field, field + " is not base64");
        }
        if (b.length != VncAuth.CHALLENGE_LENGTH) {
            throw ApiException.badRequest(field, field + " must be 16 bytes");
        }
        return b;
    }
}
