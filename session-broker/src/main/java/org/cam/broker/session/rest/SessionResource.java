package org.cam.broker.session.rest;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;
import org.cam.broker.BrokerConfig;
import org.cam.rest.problem.ProblemException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.cam.broker.session.BrokerService;

/** Admin port (8082): what runs here, and disconnect on order of management-api. */
@Path("/api/v1/sessions")
@Produces(MediaType.APPLICATION_JSON)
@SecurityRequirement(name = "bearer")
public class SessionResource {

    /**
     * One relayed session as the admin port shows it. {@code droppedFromClient}: client messages the session's mode
     * and clipboard policy did not pass to the device so far; {@code droppedFromDevice}: device messages they did not
     * pass to the client. An operator (or a test) sees a policy act while the session runs, not only in its end line.
     */
    public record SessionView(String sessionId, String user, String targetId, String mode, String listener,
                              String clientAddress, String startedAt, long bytesFromClient, long bytesFromDevice,
                              long droppedFromClient, long droppedFromDevice) {
    }

    private final BrokerService service;
    private final BrokerConfig config;

    public SessionResource(BrokerService service, BrokerConfig config) {
        this.service = service;
        this.config = config;
    }

    @Operation(summary = "The sessions this broker replica relays, with bytes and policy counters")
    @GET
    public List<SessionView> list(@HeaderParam("Authorization") String auth) {
        authorize(auth);
        return service.activeSessions().stream().map(s -> new SessionView(s.sessionId(), s.claim().user(),
                s.claim().targetId(), s.claim().mode().name(), s.client().listener(), s.client().remoteAddress(),
                String.valueOf(s.startedAt()), s.bytesFromClient(), s.bytesFromDevice(), s.droppedInputs(),
                s.droppedFromDevice())).toList();
    }

    @Operation(summary = "Disconnect a session this replica relays (ends as admin_disconnect)")
    @DELETE
    @Path("/{id}")
    public Response disconnect(@PathParam("id") String id, @HeaderParam("Authorization") String auth) {
        authorize(auth);
        if (!service.disconnect(id)) {
            throw new ProblemException(404, "Session not on this broker", "no active session " + id
                    + " on broker " + config.brokerId(), "id");
        }
        return Response.accepted().build();
    }

    /**
     * The admin API is closed unless a token is configured: with none, nothing is accepted (a deployment that
     * forgot the secret must not leave sessions open to anyone who reaches the admin port). Compared in constant
     * time, so the answer's timing says nothing about how much of a guess was right.
     */
    private void authorize(String header) {
        if (!accepts(config.adminToken(), header)) {
            throw new ProblemException(401, "Unauthorized", config.adminToken().filter(t -> !t.isBlank()).isEmpty()
                    ? "the admin API is closed: no admin token is configured (CAM_BROKER_ADMIN_TOKEN)"
                    : "admin token missing or wrong", "Authorization");
        }
    }

    static boolean accepts(Optional<String> configured, String header) {
        String token = configured.map(String::trim).filter(t -> !t.isEmpty()).orElse(null);
        if (token == null || header == null) {
            return false;
        }
        return MessageDigest.isEqual(("Bearer " + token).getBytes(StandardCharsets.UTF_8),
                header.trim().getBytes(StandardCharsets.UTF_8));
    }
}
