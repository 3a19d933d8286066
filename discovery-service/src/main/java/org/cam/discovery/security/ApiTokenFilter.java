package org.cam.discovery.security;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.cam.discovery.config.DiscoveryConfig;
import org.cam.rest.problem.Problem;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The API (inventory of the device segment, scans that make this service send datagrams) is for management-api,
 * operators holding the discovery service token ({@code cam.discovery.forward.token}, the one management-api accepts
 * from us), and management-api's admins: {@code Authorization: Bearer <token>}, the service token compared in
 * constant time, anything shaped like a JWT shown to management-api ({@link AdminCheck}). Without a configured token
 * and without admins nobody gets in. {@code /q/*} (probes, metrics) is not under {@code /api}.
 */
@ApplicationScoped   // created on first use: the filter class itself is set up before runtime configuration exists
public class ApiTokenFilter {

    @Inject
    DiscoveryConfig config;

    @Inject
    AdminCheck admins;

    @ServerRequestFilter(preMatching = true)
    public Uni<Response> requireToken(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/api/")) {
            return Uni.createFrom().nullItem();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Uni.createFrom().item(unauthorized());
        }
        String presented = header.substring(7).trim();
        Optional<String> token = config.forward().token().filter(t -> !t.isBlank());
        if (token.isPresent() && MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8),
                token.get().getBytes(StandardCharsets.UTF_8))) {
            return Uni.createFrom().nullItem();
        }
        if (!admins.applies(presented)) {
            return Uni.createFrom().item(unauthorized());
        }
        return admins.check(presented).map(v -> switch (v) {
            case ADMIN -> null;
            case NOT_ADMIN -> problem(403, "Forbidden", "the discovery API is for admins and the discovery service",
                    null);
            case REFUSED -> unauthorized();
            case UNAVAILABLE, BUSY -> problem(503, "Service Unavailable", v == AdminCheck.Verdict.BUSY
                    ? "too many token checks under way" : "management-api cannot check the token now", "5");
        });
    }

    private static Response unauthorized() {
        return Response.fromResponse(problem(401, "Unauthorized", "the discovery API needs the discovery service "
                        + "token or a management-api admin's access token (Authorization: Bearer)", null))
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"cam-discovery\"").build();
    }

    private static Response problem(int status, String title, String detail, String retryAfter) {
        return Problem.of(status, title, detail, null, null)
                .toResponse(retryAfter == null ? null : Integer.valueOf(retryAfter));
    }
}
