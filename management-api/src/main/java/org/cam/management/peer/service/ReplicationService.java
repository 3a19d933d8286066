package org.cam.management.peer.service;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.config.ManagementConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The database pair as replication-monitor sees it, and its topology changes on behalf of our administrators:
 * replication-monitor records the acting user ("ada via management-api") and the reason in its own audit; ours
 * records the request and its outcome too.
 */
@ApplicationScoped
public class ReplicationService {

    @Inject
    PeerClient peers;

    @Inject
    ManagementConfig config;

    @Inject
    AuditService audit;

    private PeerClient.Peer monitor() {
        return new PeerClient.Peer("replication-monitor", config.peers().replicationMonitorUrl(),
                config.serviceTokens().replicationMonitor(), "cam.management.peers.replication-monitor-url",
                "cam.management.service-tokens.replication-monitor");
    }

    public JsonNode status() {
        return peers.get(monitor(), "/api/v1/replication/status", config.peers().readTimeout());
    }

    public JsonNode history(int limit) {
        return peers.get(monitor(), "/api/v1/replication/history?limit=" + limit, config.peers().readTimeout());
    }

    public JsonNode switchover(String actor, String reason, String sourceAddress) {
        return act("SWITCHOVER", "/api/v1/replication/switchover", actor, reason, null, sourceAddress);
    }

    public JsonNode promote(String actor, String reason, boolean force, String sourceAddress) {
        return act(force ? "PROMOTE_FORCED" : "PROMOTE", "/api/v1/replication/promote", actor, reason, force,
                sourceAddress);
    }

    private JsonNode act(String kind, String path, String actor, String reason, Boolean force, String sourceAddress) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("reason", reason);
        body.put("actor", actor);
        if (force != null) {
            body.put("force", force);
        }
        try {
            JsonNode result = peers.post(monitor(), path, body, config.peers().actionTimeout());
            String outcome = result.path("outcome").asText("");
            audit.recordNow(actor, "REPLICATION_" + kind, "database", result.path("newPrimary").asText(null),
                    "DONE".equals(outcome) ? AuditService.SUCCESS : AuditService.FAILURE, sourceAddress,
                    "reason=" + reason + " outcome=" + outcome + " newPrimary=" + result.path("newPrimary").asText(""));
            return result;
        } catch (ApiException e) {
            audit.recordNow(actor, "REPLICATION_" + kind, "database", null, AuditService.FAILURE, sourceAddress,
                    "reason=" + reason + " refused: " + e.getMessage());
            throw e;
        }
    }
}
