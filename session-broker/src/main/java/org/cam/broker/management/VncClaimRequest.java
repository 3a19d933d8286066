package org.cam.broker.management;

/**
 * Claim the PENDING session whose one-time password answers {@code challenge} with {@code response} (both
 * base64, 16 bytes each): how stock VNC clients on 9900/9901 authenticate.
 */
public record VncClaimRequest(String brokerId, String clientAddress, String challenge, String response) {
}
