package org.cam.broker.management;

/** Claim a session by the id from a verified ticket. */
public record ClaimRequest(String brokerId, String clientAddress) {
}
