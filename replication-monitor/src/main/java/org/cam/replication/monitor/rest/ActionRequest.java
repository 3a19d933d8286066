package org.cam.replication.monitor.rest;

/** Body of POST switchover/promote. {@code force} only matters for promote. */
public record ActionRequest(String reason, Boolean force) {
}
