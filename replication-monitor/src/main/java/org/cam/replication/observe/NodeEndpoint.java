package org.cam.replication.observe;

/**
 * How the monitor reaches one database node, and how the other node's replication threads reach it
 * (these differ when the monitor goes through a proxy or another network).
 */
public record NodeEndpoint(String name, String host, int port, String user, String password,
        String replicationHost, int replicationPort) {

    public String address() {
        return host + ":" + port;
    }

    @Override
    public String toString() {
        return name.equals(address()) ? name : name + "(" + address() + ")";
    }
}
