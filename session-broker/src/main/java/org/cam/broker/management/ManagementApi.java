package org.cam.broker.management;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.rest.client.annotation.ClientHeaderParam;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/**
 * The broker's side of docs/protocols/broker-api.md: the internal endpoints of management-api. Reactive (Uni) so
 * calls never block an event loop. Base URL: {@code quarkus.rest-client.management-api.url}.
 */
@RegisterRestClient(configKey = "management-api")
@Path("/api/v1/internal")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@ClientHeaderParam(name = "Authorization", value = "{bearer}")
public interface ManagementApi {

    @POST
    @Path("/sessions/{sessionId}/claim")
    Uni<Claim> claim(@PathParam("sessionId") String sessionId, ClaimRequest request);

    @POST
    @Path("/sessions/claim-by-vnc-response")
    Uni<Claim> claimByVncResponse(VncClaimRequest request);

    @POST
    @Path("/sessions/{sessionId}/end")
    Uni<Void> end(@PathParam("sessionId") String sessionId, EndReport report);

    @POST
    @Path("/brokers/{brokerId}/heartbeat")
    Uni<HeartbeatResponse> heartbeat(@PathParam("brokerId") String brokerId, Heartbeat heartbeat);

    default String bearer() {
        return "Bearer " + ConfigProvider.getConfig().getValue("cam.broker.management.token", String.class);
    }
}
