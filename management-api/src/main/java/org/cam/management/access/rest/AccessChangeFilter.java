package org.cam.management.access.rest;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.ext.Provider;
import org.cam.management.access.service.AccessCache;

/**
 * Any successful write request may change who sees what (targets, sets, grants, assignments, groups, devices
 * enrolled through discovery, LDAP memberships refreshed at login): the access cache starts over. Writes are rare
 * next to list reads, so a coarse rule keeps the cache correct without each feature knowing about it.
 */
@Provider
public class AccessChangeFilter implements ContainerResponseFilter {

    @Inject
    AccessCache cache;

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        String m = request.getMethod();
        // Broker heartbeats (every few seconds per broker) change nothing anyone sees.
        if (!"GET".equals(m) && !"HEAD".equals(m) && !"OPTIONS".equals(m) && response.getStatus() < 400
                && !request.getUriInfo().getPath().endsWith("/heartbeat")) {
            cache.changed();
        }
    }
}
