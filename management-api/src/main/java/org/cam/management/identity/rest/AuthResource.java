package org.cam.management.identity.rest;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import org.cam.management.common.ApiException;
import org.cam.management.common.RequestInfo;
import org.cam.management.identity.service.AuthService;
import org.cam.management.identity.service.TokenService;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import java.util.Set;
import java.util.TreeSet;

@Path("/api/v1/auth")
public class AuthResource {
    public record LoginRequest(@NotBlank @Size(max = 128) String username,
                               @NotNull @Size(max = 1024) String password) {
    }

    public record RefreshRequest(@NotBlank @Size(max = 256) String refreshToken) {
    }

    public record WhoAmI(String username, Set<String> roles) {
    }

    @Inject
    AuthService auth;

    @Inject
    TokenService tokens;

    @Inject
    RequestInfo info;

    @Inject
    SecurityIdentity identity;

    @POST
    @Path("/login")
    @PermitAll
    @Operation(summary = "Password login (local or LDAP user); returns a short-lived access token and a refresh token")
    public TokenService.Tokens login(@Valid @NotNull LoginRequest req) {
        try {
            return tokens.issue(auth.authenticate(req.username(), req.password(), info.sourceAddress(),
                    AuthService.Channel.TOKEN));
        } catch (AuthenticationFailedException e) {
            // One answer for every cause, so callers cannot probe which names exist or are locked.
            throw new ApiException(401, "Unauthorized", "invalid credentials or locked out", null);
        }
    }

    @POST
    @Path("/refresh")
    @PermitAll
    @Operation(summary = "Exchange a refresh token (single use) for a new token pair")
    public TokenService.Tokens refresh(@Valid @NotNull RefreshRequest req) {
        try {
            return tokens.refresh(req.refreshToken(), info.sourceAddress())
                    .orElseThrow(() -> new ApiException(401, "Unauthorized", "refresh token invalid or expired", "refreshToken"));
        } catch (TokenService.TokenReuseException e) {
            throw new ApiException(401, "Unauthorized", "refresh token invalid or expired", "refreshToken");
        }
    }

    @POST
    @Path("/logout")
    @PermitAll
    @Operation(summary = "Revoke a refresh token")
    @APIResponse(responseCode = "204", description = "Done, no content")
    public Response logout(@Valid @NotNull RefreshRequest req) {
        tokens.revoke(req.refreshToken());
        return Response.noContent().build();
    }

    @Operation(summary = "The caller: user name and roles")
    @GET
    @Path("/whoami")
    @io.quarkus.security.Authenticated
    public WhoAmI whoami() {
        // Sorted: the identity's set has no order, and the page shows it as it comes.
        return new WhoAmI(identity.getPrincipal().getName(), new TreeSet<>(identity.getRoles()));
    }
}
