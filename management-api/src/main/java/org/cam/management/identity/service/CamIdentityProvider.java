package org.cam.management.identity.service;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.UsernamePasswordAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.common.RequestInfo;

/**
 * HTTP Basic for both local and LDAP users through one provider (see {@link AuthService}); simpler to reason
 * about than two Elytron realms side by side, and lockout and audit apply to both in one place. Basic is for
 * automation: requests a browser made (Origin, Sec-Fetch-*) must use a bearer token.
 */
@ApplicationScoped
public class CamIdentityProvider implements IdentityProvider<UsernamePasswordAuthenticationRequest> {

    @Inject
    AuthService auth;

    @Override
    public Class<UsernamePasswordAuthenticationRequest> getRequestType() {
        return UsernamePasswordAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(UsernamePasswordAuthenticationRequest request,
                                              AuthenticationRequestContext context) {
        RoutingContext rc = HttpSecurityUtils.getRoutingContextAttribute(request);
        String address = rc == null ? null : RequestInfo.sourceAddress(rc.request());
        if (rc != null && fromBrowser(rc)) {
            // A browser replays Basic credentials it once cached on any request, a forged cross-site one included
            // (CSRF). Browsers send Origin or Sec-Fetch-*; the web UI uses bearer tokens: Basic from them is refused.
            return context.runBlocking(() -> {
                throw auth.refuseBrowserBasic(request.getUsername(), address);
            });
        }
        String password = new String(request.getPassword().getPassword());
        return context.runBlocking(() -> identity(
                auth.authenticate(request.getUsername(), password, address, AuthService.Channel.BASIC)));
    }

    static boolean fromBrowser(RoutingContext rc) {
        return rc.request().getHeader("Origin") != null || rc.request().getHeader("Sec-Fetch-Site") != null
                || rc.request().getHeader("Sec-Fetch-Mode") != null;
    }

    static SecurityIdentity identity(AuthenticatedUser u) {
        return QuarkusSecurityIdentity.builder()
                .setPrincipal(new QuarkusPrincipal(u.username()))
                .addRoles(u.roles())
                .addAttribute("userId", u.userId())
                .build();
    }
}
