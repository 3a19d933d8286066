package org.cam.management.common;

import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;

/** Who is calling and from where, for audit records. */
@RequestScoped
public class RequestInfo {
    @Inject
    SecurityIdentity identity;

    @Inject
    HttpServerRequest request;

    public String actor() {
        return identity == null || identity.isAnonymous() ? "anonymous" : identity.getPrincipal().getName();
    }

    public String sourceAddress() {
        return sourceAddress(request);
    }

    public static String sourceAddress(HttpServerRequest request) {
        if (request == null || request.remoteAddress() == null) {
            return null;
        }
        return request.remoteAddress().hostAddress();
    }
}
