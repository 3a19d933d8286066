package org.cam.management.target.rest;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import org.cam.management.access.AccessLevel;
import org.cam.management.access.service.AccessService;
import org.cam.management.common.ApiException;
import org.cam.management.common.Page;
import org.cam.management.identity.Role;
import org.cam.management.target.AccessPolicy;
import org.cam.management.target.Target;
import org.cam.management.target.TargetKind;
import org.cam.management.target.TargetStatus;
import org.cam.management.target.service.TargetStatusService;
import org.cam.management.target.service.TargetService;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

@Path("/api/v1/targets")
public class TargetResource {
    static final String HOST = "^[A-Za-z0-9]([A-Za-z0-9.-]{0,253}[A-Za-z0-9])?$|^\\[?[0-9A-Fa-f:.]+\\]?$";

    /**
     * A target with the caller's access level on it (FULL_CONTROL, VIEW_ONLY) and its status (AVAILABLE,
     * REMOTE_ACTIVE_SESSION, UPDATING_DEVICE, UNAVAILABLE, BUSY, UNASSIGNED; statusText as operators read it,
     * e.g. "Remote active session (ada)"; activeUsers: who is connected).
     */
    public record TargetView(long id, String name, String description, TargetKind kind, String host, Integer port,
                             Long deviceId, Integer channel, AccessPolicy accessPolicy, Set<String> locationTags,
                             AccessLevel access, TargetStatus status, String statusText, List<String> activeUsers,
                             boolean hasCredential, String tlsFingerprint, String tlsCaPem, long version) {
        public static TargetView of(Target t, AccessLevel access, TargetStatusService.Status st) {
            return new TargetView(t.id, t.name, t.description, t.kind, t.host, t.port, t.deviceId, t.channel,
                    t.accessPolicy, java.util.Collections.unmodifiableSortedSet(new TreeSet<>(t.locationTags)), access,
                    st == null ? null : st.status(), st == null ? null : st.text(),
                    st == null ? List.of() : List.copyOf(st.activeUsers()), t.credentialEnc != null,
                    t.tlsFingerprint, t.tlsCaPem, t.version);
        }

        /** A page of visible targets with their statuses (three queries for the whole page). */
        public static Page<TargetView> page(Page<AccessService.Visible> page, TargetStatusService statuses) {
            Map<Long, TargetStatusService.Status> st = statuses.of(page.items().stream().map(v -> v.target()).toList());
            return page.map(v -> of(v.target(), v.access(), st.get(v.target().id)));
        }
    }

    /**
     * {@code credential}: the RFB server's password (VNC Authentication), with a username for VeNCrypt Plain; absent
     * on an update: unchanged; {@code clearCredential}: remove it. {@code tlsFingerprint}: SHA-256 of the server's
     * certificate (hex, colons allowed) for VeNCrypt X509; {@code tlsCaPem}: or the CA certificates it must chain to.
     */
    public record TargetRequest(@NotBlank @Size(max = 128) String name,
                                @Size(max = 1024) String description,
                                @NotBlank @Size(max = 255) @Pattern(regexp = HOST) String host,
                                @NotNull @Min(1) @Max(65535) Integer port,
                                AccessPolicy accessPolicy,
                                @Size(max = 32) Set<@NotBlank @Size(max = 64) String> locationTags,
                                @Valid Credential credential,
                                Boolean clearCredential,
                                @Pattern(regexp = FINGERPRINT) String tlsFingerprint,
                                @Size(max = 16384) @Pattern(regexp = "(?s)\\s*-----BEGIN CERTIFICATE-----.*") String tlsCaPem,
                                Long version) {
    }

    /** An RFB server credential: password (VNC auth truncates it to 8 characters), optional username (Plain). */
    public record Credential(@Size(min = 1, max = 255) String username, @NotNull @Size(min = 1, max = 255) String password) {
        @Override
        public String toString() {
            return "Credential[username=" + username + "]";   // never log the password
        }
    }

    static final String FINGERPRINT = "^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$";

    @Inject
    TargetService targets;

    @Inject
    AccessService access;

    @Inject
    TargetStatusService statuses;

    @Inject
    org.cam.management.target.service.TargetPages pages;

    @Inject
    SecurityIdentity identity;

    /** Operators and admins see every target; others see what they may open (as /api/v1/me/targets). */
    @Operation(summary = "List the targets the caller may see (paged; search, tag and policy filters)")
    @GET
    @RolesAllowed(Role.VIEWER)
    public Page<TargetView> list(@QueryParam("q") @Size(max = 128) String q,
                                 @QueryParam("tag") @Size(max = 64) String tag,
                                 @QueryParam("policy") AccessPolicy policy,
                                 @QueryParam("page") @DefaultValue("0") @Min(0) int page,
                                 @QueryParam("size") @DefaultValue("50") @Min(1) @Max(Page.MAX_SIZE) int size) {
        return pages.visible(identity, new TargetService.Filter(q, tag, policy), page, size);
    }

    @Operation(summary = "Read a target with its status")
    @GET
    @Path("/{id}")
    @RolesAllowed(Role.VIEWER)
    public TargetView get(@PathParam("id") long id) {
        AccessLevel level = access.levelOn(identity, id);
        if (level == AccessLevel.NONE) {
            // Same answer as for a missing target: no probing of what exists.
            throw ApiException.notFound("target", id);
        }
        Target t = targets.get(id);
        return TargetView.of(t, level, statuses.of(t));
    }

    @Operation(summary = "Create an RFB-endpoint target")
    @APIResponse(responseCode = "201", description = "Created", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = TargetView.class)))
    @POST
    @RolesAllowed(Role.OPERATOR)
    public Response create(@Valid @NotNull TargetRequest req) {
        Target t = targets.create(data(req));
        return Response.created(URI.create("/api/v1/targets/" + t.id))
                .entity(TargetView.of(t, AccessLevel.FULL_CONTROL, statuses.of(t))).build();
    }

    @Operation(summary = "Change a target (version for optimistic locking)")
    @PUT
    @Path("/{id}")
    @RolesAllowed(Role.OPERATOR)
    public TargetView update(@PathParam("id") long id, @Valid @NotNull TargetRequest req) {
        if (req.version() == null) {
            throw ApiException.badRequest("version", "version is required for updates");
        }
        Target t = targets.update(id, data(req), req.version());
        return TargetView.of(t, AccessLevel.FULL_CONTROL, statuses.of(t));
    }

    @Operation(summary = "Delete an RFB-endpoint target")
    @APIResponse(responseCode = "204", description = "Done, no content")
    @DELETE
    @Path("/{id}")
    @RolesAllowed(Role.OPERATOR)
    public Response delete(@PathParam("id") long id) {
        targets.delete(id);
        return Response.noContent().build();
    }

    private static TargetService.TargetData data(TargetRequest r) {
        return new TargetService.TargetData(r.name(), r.description(), r.host(), r.port(), r.accessPolicy(),
                r.locationTags(), r.credential() == null ? null : r.credential().username(),
                r.credential() == null ? null : r.credential().password(), Boolean.TRUE.equals(r.clearCredential()),
                r.tlsFingerprint() == null || r.tlsFingerprint().isBlank() ? null
                        : r.tlsFingerprint().replace(":", "").toLowerCase(java.util.Locale.ROOT),
                r.tlsCaPem() == null || r.tlsCaPem().isBlank() ? null : r.tlsCaPem().strip());
    }
}
