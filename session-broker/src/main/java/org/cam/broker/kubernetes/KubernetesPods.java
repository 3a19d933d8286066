package org.cam.broker.kubernetes;

import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;

/** The one Kubernetes API call the broker makes: a JSON merge patch of its own pod. Built by {@link PodDeletionCost}. */
@Path("/api/v1/namespaces/{namespace}/pods/{pod}")
public interface KubernetesPods {

    @PATCH
    @Consumes("application/merge-patch+json")
    Uni<Response> patch(@PathParam("namespace") String namespace, @PathParam("pod") String pod,
                        @HeaderParam("Authorization") String authorization, String mergePatch);
}
