package org.cam.discovery.security;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.cam.discovery.config.DiscoveryConfig;
import org.cam.discovery.problem.Problem;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The API (inventory of the device segment, scans that make this service send datagrams) is for management-api and
 * operators holding the discovery service token ({@code cam.discovery.forward.token}, the one management-api accepts
 * from us): {@code Authorization: Bearer <token>}, compared in constant time. Without a configured token nobody
 * gets in. {@code /q/*} (probes, metrics) is not under {@code /api}.
 */
@ApplicationScoped   // created on first use: the filter class itself is set up before runtime configuration exists
public class ApiTokenFilter {

    @Inject
    DiscoveryConfig config;

    @ServerRequestFilter(preMatching = true)
    public Optional<Response> requireToken(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/")) {
            return Optional.empty();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        Optional<String> token = config.forward().token().filter(t -> !t.isBlank());
        if (token.isPresent() && header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                && MessageDigest.isEqual(header.substring(7).trim().getBytes(StandardCharsets.UTF_8),
                token.get().getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        return Optional.of(Response.status(401).type("application/problem+json")
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"cam-discovery\"")
                .entity(new Problem("about:blank", "Unauthorized", 401,
                        "the discovery API needs the discovery service token (Authorization: Bearer)", null))
                .build());
    }
}
