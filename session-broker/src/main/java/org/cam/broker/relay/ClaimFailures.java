package org.cam.broker.relay;

import jakarta.ws.rs.WebApplicationException;

/**
 * Maps a failed claim call to a reject reason: refused or throttled by management-api (4xx) or not reached (anything
 * else).
 */
final class ClaimFailures {

    private ClaimFailures() {
    }

    static String reason(String prefix, Throwable t) {
        if (t instanceof WebApplicationException w && w.getResponse() != null) {
            int s = w.getResponse().getStatus();
            if (s == 409 || s == 404 || s == 403) {
                return prefix + "_refused";
            }
            if (s == 429) {
                // management-api's own count of this address's failures (shared by all replicas) says stop.
                return prefix + "_throttled";
            }
        }
        return "upstream_error";
    }
}
