package org.cam.replication.monitor.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import org.cam.replication.failover.ActionResult;
import org.cam.replication.failover.TopologyException;
import org.cam.replication.monitor.HistoryEntry;
import org.cam.replication.monitor.MonitorService;
import org.cam.replication.monitor.StatusView;
import org.cam.replication.security.ManagementTokenIdentityProvider;

/** Reads are open (see README: keep 8083 inside the cluster); topology changes need the admin role. */
@Path("/api/v1/replication")
@Produces(MediaType.APPLICATION_JSON)
public class ReplicationResource {

    @Inject
    MonitorService monitor;

    @Inject
    SecurityIdentity identity;

    @Operation(summary = "Both nodes, replication threads, lag and the monitor's state")
    @GET
    @Path("/status")
    public StatusView status() {
        StatusView s = monitor.engine().status();
        if (s == null) {
            throw new TopologyException(503, "no observation yet");
        }
        return s;
    }

    /**
     * Patroni's {@code GET /primary} for one node: 200 when {@code node} (host:port, as in the status) is the node
     * this monitor names primary, 503 for any other node and before the first observation. Writers' routers
     * (HAProxy, the Kubernetes primary Service) follow it; it does not depend on the monitor reaching the node.
     */
    @Operation(summary = "Whether a node is the primary: 200 yes, 503 no (HAProxy's and the primary pointer's check)")
    @GET
    @Path("/nodes/{node}/primary")
    public Response isPrimary(@PathParam("node") String node) {
        Boolean primary = monitor.engine().namesPrimary(node);
        if (primary == null) {
            throw new TopologyException(503, "no observation yet");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("node", node);
        body.put("primary", primary);
        body.put("namedPrimary", monitor.engine().primaryEndpoint().name());
        return Response.status(primary ? 200 : 503).entity(body).build();
    }

    @Operation(summary = "Topology changes and state transitions the monitor recorded (limit 1-1000)")
    @GET
    @Path("/history")
    public List<HistoryEntry> history(@QueryParam("limit") @DefaultValue("100") int limit) {
        if (limit < 1 || limit > 1000) {
            throw new TopologyException(400, "limit must be between 1 and 1000", "limit");
        }
        List<HistoryEntry> all = monitor.engine().history();
        return all.subList(Math.max(0, all.size() - limit), all.size());
    }

    @Operation(summary = "Planned switchover: the secondary becomes primary once it has applied everything (a reason is required)")
    @POST
    @Path("/switchover")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    public ActionResult switchover(ActionRequest request) {
        return monitor.engine().switchover(actor(request), reason(request));
    }

    @Operation(summary = "Promote the secondary (admin, or management-api acting for a named admin; a reason is required)")
    @POST
    @Path("/promote")
    @Consumes(MediaType.APPLICATION_JSON)
    @RolesAllowed("admin")
    public ActionResult promote(ActionRequest request) {
        boolean force = request != null && Boolean.TRUE.equals(request.force());
        return monitor.engine().promote(actor(request), reason(request), force);
    }

    /** Who the audit names: the admin, or the user management-api acts for ("ada via management-api"). */
    private String actor(ActionRequest request) {
        String named = request == null ? null : request.actor();
        if (!identity.hasRole(ManagementTokenIdentityProvider.MANAGEMENT_API)) {
            if (named != null) {
                throw new TopologyException(400, "actor is only for management-api's calls", "actor");
            }
            return identity.getPrincipal().getName();
        }
        if (named == null || named.isBlank()) {
            throw new TopologyException(400, "management-api must name the user it acts for", "actor");
        }
        if (named.length() > 100 || named.chars().anyMatch(Character::isISOControl)) {
            throw new TopologyException(400, "actor is longer than 100 characters or has control characters",
                    "actor");
        }
        return named.strip() + " via " + identity.getPrincipal().getName();
    }

    private static String reason(ActionRequest request) {
        String reason = request == null ? null : request.reason();
        if (reason == null || reason.isBlank()) {
            throw new TopologyException(400, "a reason is required for the audit log", "reason");
        }
        if (reason.length() > 1000) {
            throw new TopologyException(400, "reason is longer than 1000 characters", "reason");
        }
        return reason.strip();
    }
}
