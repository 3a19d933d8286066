package org.cam.management.audit.service;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.spi.runtime.AuthorizationFailureEvent;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import org.cam.management.common.RequestInfo;
import org.jboss.logging.Logger;

import java.util.TreeSet;

/**
 * Authenticated callers refused by a role check (403) leave an ACCESS_DENIED audit event: probing for what one may
 * do is as interesting to an auditor as what one did. Asynchronous, so the refusal itself never waits for the DB.
 */
@ApplicationScoped
public class AccessDeniedAuditor {
    private static final Logger LOG = Logger.getLogger(AccessDeniedAuditor.class);

    @Inject
    AuditService audit;

    void onDenied(@ObservesAsync AuthorizationFailureEvent event) {
        SecurityIdentity id = event.getSecurityIdentity();
        if (id == null || id.isAnonymous()) {
            return;   // a 401, not a refusal of a known caller
        }
        RoutingContext rc = HttpSecurityUtils.getRoutingContextAttribute(id);
        String what = rc == null ? String.valueOf(event.getAuthorizationContext())
                : rc.request().method() + " " + rc.request().path();
        String address = rc == null ? null : RequestInfo.sourceAddress(rc.request());
        try {
            audit.recordNow(id.getPrincipal().getName(), "ACCESS_DENIED", "endpoint", what, AuditService.DENIED,
                    address, "roles=" + String.join(",", new TreeSet<>(id.getRoles())));
        } catch (RuntimeException e) {
            LOG.warnf("could not audit a denied request of %s: %s", id.getPrincipal().getName(), e.getMessage());
        }
    }
}
