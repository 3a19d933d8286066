package org.cam.discovery.security;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** management-api's answer to "who holds this token": user name and roles (built by ManagementClients). */
@Path("/api/v1/auth/whoami")
public interface WhoAmIClient {

    /** The caller as management-api sees it. */
    record WhoAmI(String username, java.util.Set<String> roles) {
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    Uni<Response> whoami(@HeaderParam("Authorization") String authorization);
}
