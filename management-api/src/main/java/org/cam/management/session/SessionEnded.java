package org.cam.management.session;

/**
 * A session ended (any path: end report, broker lost, admin disconnect, expiry, unusable), fired inside the ending
 * transaction; {@code claimed}: a broker had claimed it, so a channel credential may wait on its device.
 */
public record SessionEnded(String sessionId, boolean claimed) {
}
