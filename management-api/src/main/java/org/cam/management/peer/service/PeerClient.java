package org.cam.management.peer.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.common.ApiException;
import org.cam.management.config.ManagementConfig;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * The one HTTP client management-api uses for the other CAM services (JDK HttpClient, as DeviceClient for devices):
 * JSON both ways, the peer's service token as Bearer. What a peer answers becomes our answer: its 4xx problems with
 * their field, its 503 as ours (with Retry-After); a peer that does not answer is a 503 with Retry-After, one that
 * refuses our token or fails is a 502 (never a 401, which would log the browser out, nor a 500).
 */
@ApplicationScoped
public class PeerClient {
    private static final Logger LOG = Logger.getLogger(PeerClient.class);

    /** A peer: its name in messages, base URL and token, and the settings an operator sets for them. */
    public record Peer(String name, Optional<URI> base, Optional<String> token, String urlSetting,
                       String tokenSetting) {
    }

    @Inject
    ManagementConfig config;

    @Inject
    ObjectMapper json;

    private volatile HttpClient http;

    public JsonNode get(Peer peer, String path, Duration timeout) {
        return send(peer, path, "GET", null, timeout);
    }

    public JsonNode post(Peer peer, String path, Object body, Duration timeout) {
        return send(peer, path, "POST", body, timeout);
    }

    private JsonNode send(Peer peer, String path, String method, Object body, Duration timeout) {
        URI base = peer.base().orElseThrow(() -> new ApiException(503, "Service Unavailable",
                peer.name() + " is not configured here (" + peer.urlSetting() + ")", null));
        String token = peer.token().filter(t -> !t.isBlank()).orElseThrow(() -> new ApiException(503,
                "Service Unavailable", "no service token for " + peer.name() + " is configured here ("
                + peer.tokenSetting() + ")", null));
        URI uri = URI.create(base.toString().replaceAll("/+$", "") + path);
        HttpRequest.Builder r = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Authorization", "Bearer " + token).header("Accept", "application/json");
        try {
            r = body == null ? r.method(method, HttpRequest.BodyPublishers.noBody())
                    : r.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        HttpResponse<byte[]> answer;
        try {
            answer = client().send(r.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            LOG.warnf("%s %s %s: %s", peer.name(), method, uri, e.toString());
            throw ApiException.unavailable(peer.name() + " at " + base + " does not answer ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")", 10);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted while waiting for " + peer.name(), 5);
        }
        int status = answer.statusCode();
        JsonNode parsed = parse(answer.body());
        if (status >= 200 && status < 300) {
            return parsed;
        }
        String detail = parsed.path("detail").asText(parsed.path("title").asText("HTTP " + status));
        if (status == 401 || status == 403) {
            LOG.errorf("%s refused management-api's service token (%d): check %s on both sides", peer.name(), status,
                    peer.tokenSetting());
            throw new ApiException(502, "Bad Gateway", peer.name() + " refused management-api's service token ("
                    + peer.tokenSetting() + ")", null);
        }
        if (status == 503) {
            int retry = answer.headers().firstValue("Retry-After").map(PeerClient::seconds).orElse(5);
            throw ApiException.unavailable(peer.name() + ": " + detail, retry);
        }
        if (status >= 400 && status < 500) {
            String field = parsed.hasNonNull("field") ? parsed.get("field").asText() : null;
            throw new ApiException(status, parsed.path("title").asText("HTTP " + status), peer.name() + ": " + detail,
                    field);
        }
        LOG.warnf("%s %s %s answered %d: %s", peer.name(), method, uri, status, detail);
        throw new ApiException(502, "Bad Gateway", peer.name() + " failed (HTTP " + status + "): " + detail, null);
    }

    private JsonNode parse(byte[] body) {
        if (body == null || body.length == 0) {
            return NullNode.getInstance();
        }
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return NullNode.getInstance();
        }
    }

    private static int seconds(String header) {
        try {
            return Math.max(1, Integer.parseInt(header.strip()));
        } catch (NumberFormatException e) {
            return 5;
        }
    }

    private HttpClient client() {
        HttpClient c = http;
        if (c == null) {
            synchronized (this) {
                if (http == null) {
                    http = HttpClient.newBuilder().connectTimeout(config.peers().connectTimeout())
                            .followRedirects(HttpClient.Redirect.NEVER).build();
                }
                c = http;
            }
        }
        return c;
    }
}
