package org.cam.discovery.scan;

import java.util.List;

/**
 * Body of POST /api/v1/scans.
 *
 * @param broadcast broadcast addresses (255.255.255.255 and/or subnet broadcasts) to send DISCOVER to
 * @param cidr a block to sweep by unicast, e.g. 10.0.0.0/24 (size capped by cam.discovery.scan.max-cidr-prefix)
 * @param port "auto" (default: the device port, then the fallback port for what did not answer) or a port number
 * @param timeoutMs how long each phase waits for answers after its last DISCOVER
 */
public record ScanRequest(List<String> broadcast, String cidr, String port, Long timeoutMs) {
}
