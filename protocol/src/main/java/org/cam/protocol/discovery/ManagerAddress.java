package org.cam.protocol.discovery;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where a manager wants discovery answers: its IPv4 address and UDP answer port (3080 by default). A device
 * sends REPLY here even when the DISCOVER arrived on the fallback port 3081.
 */
public record ManagerAddress(Inet4Address address, int port) {

    public ManagerAddress {
        Objects.requireNonNull(address, "address");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("manager port must be 1..65535");
        }
    }

    public InetSocketAddress toSocketAddress() {
        return new InetSocketAddress(address, port);
    }

    @Override
    public String toString() {
        return address.getHostAddress() + ":" + port;
    }
}
