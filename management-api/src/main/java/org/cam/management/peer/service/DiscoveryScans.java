package org.cam.management.peer.service;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.config.ManagementConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Discovery scans run by discovery-service (it owns the UDP socket): started and followed here with the discovery
 * service token. Devices that answer reach the Devices page the usual way, through discovery-service's forwarding.
 */
@ApplicationScoped
public class DiscoveryScans {

    @Inject
    PeerClient peers;

    @Inject
    ManagementConfig config;

    @Inject
    AuditService audit;

    private PeerClient.Peer discovery() {
        return new PeerClient.Peer("discovery-service", config.peers().discoveryUrl(),
                config.serviceTokens().discovery(), "cam.management.peers.discovery-url",
                "cam.management.service-tokens.discovery");
    }

    public JsonNode list() {
        return peers.get(discovery(), "/api/v1/scans", config.peers().readTimeout());
    }

    public JsonNode get(String id) {
        return peers.get(discovery(), "/api/v1/scans/" + id, config.peers().readTimeout());
    }

    public JsonNode start(List<String> broadcast, String cidr, String port, Long timeoutMs, String actor,
                          String sourceAddress) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (broadcast != null && !broadcast.isEmpty()) {
            body.put("broadcast", broadcast);
        }
        if (cidr != null && !cidr.isBlank()) {
            body.put("cidr", cidr.strip());
        }
        if (port != null && !port.isBlank()) {
            body.put("port", port.strip());
        }
        if (timeoutMs != null) {
            body.put("timeoutMs", timeoutMs);
        }
        String what = "broadcast=" + body.getOrDefault("broadcast", "") + " cidr=" + body.getOrDefault("cidr", "")
                + " port=" + body.getOrDefault("port", "auto");
        try {
            JsonNode accepted = peers.post(discovery(), "/api/v1/scans", body, config.peers().actionTimeout());
            audit.recordNow(actor, "DISCOVERY_SCAN", "scan", accepted.path("id").asText(null), AuditService.SUCCESS,
                    sourceAddress, what);
            return accepted;
        } catch (ApiException e) {
            audit.recordNow(actor, "DISCOVERY_SCAN", "scan", null, AuditService.FAILURE, sourceAddress,
                    what + " refused: " + e.getMessage());
            throw e;
        }
    }
}
