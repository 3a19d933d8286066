package org.cam.discovery.forward;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** management-api's intake for discoveries; built programmatically by {@link Forwarder} from our config. */
@Path("/api/v1/internal/discoveries")
public interface ManagementApiClient {

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    Response submit(@HeaderParam("Authorization") String authorization, DiscoveryNotice notice);
}
