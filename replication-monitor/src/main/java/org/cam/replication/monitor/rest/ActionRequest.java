package org.cam.replication.monitor.rest;

/**
 * Body of POST switchover/promote. {@code force} only matters for promote. {@code actor}: the user management-api
 * acts for (required from management-api's token, refused from anyone else: an admin speaks for themselves).
 */
public record ActionRequest(String reason, Boolean force, String actor) {
}
