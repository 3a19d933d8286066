package org.cam.management.target.service;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.access.service.AccessCache;
import org.cam.management.access.service.AccessService;
import org.cam.management.common.Page;
import org.cam.management.target.rest.TargetResource;

import java.util.List;

/**
 * A page of the target list as a caller sees it (GET /api/v1/targets and /api/v1/me/targets), answered from the access
 * cache while it holds: with 100 clients listing the same page, computing it once per cache period instead of per
 * request takes the SQL (visibility, tags, statuses) and the entities off the request path. The page is the caller's
 * {@link AccessService#visibilityKey visibility} with the filter, page and size. Correctness: any write on this
 * instance (target, set, grant, group, session claim or end, device approval...) starts the cache over; another
 * replica's changes, a device poll's status and a probe's verdict show within the cache's TTL (5 s; device polls come
 * every 10 s).
 */
@ApplicationScoped
public class TargetPages {

    @Inject
    AccessService access;

    @Inject
    TargetStatusService statuses;

    @Inject
    AccessCache cache;

    /** Call inside a transaction (the resources' own). */
    public Page<TargetResource.TargetView> visible(SecurityIdentity identity, TargetService.Filter filter, int page,
                                                   int size) {
        return cache.page(List.of("targets", access.visibilityKey(identity), filter, page, size),
                () -> TargetResource.TargetView.page(access.visibleTargets(identity, filter, page, size), statuses));
    }
}
