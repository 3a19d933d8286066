package org.cam.broker.management;

/**
 * Claim a session by the id from a verified ticket; {@code ticketIssuedAt} lets management-api tell a resume ticket
 * from the first one.
 */
public record ClaimRequest(String brokerId, String clientAddress, java.time.Instant ticketIssuedAt) {
}
