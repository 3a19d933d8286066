package org.cam.discovery.scan;

/**
 * Strict IPv4 parsing as ints. Deliberately not InetAddress.getByName: a host name in a request must be an
 * error, never a DNS lookup.
 */
public final class Ipv4 {

    private Ipv4() {
    }

    /** The address as an unsigned 32-bit value in an int; IllegalArgumentException when not a dotted quad. */
    public static int parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("missing IPv4 address");
        }
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        int v = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            int octet = Integer.parseInt(p);
            if (octet > 255) {
                throw new IllegalArgumentException("not an IPv4 address: " + text);
            }
            v = (v << 8) | octet;
        }
        return v;
    }

    public static String format(int v) {
        return ((v >>> 24) & 0xFF) + "." + ((v >>> 16) & 0xFF) + "." + ((v >>> 8) & 0xFF) + "." + (v & 0xFF);
    }

    /** A parsed CIDR block. */
    public record Cidr(int network, int prefix) {

        public static Cidr parse(String text) {
            if (text == null || text.indexOf('/') < 0) {
                throw new IllegalArgumentException("CIDR must look like 10.0.0.0/24");
            }
            int slash = text.indexOf('/');
            int addr = Ipv4.parse(text.substring(0, slash));
            String len = text.substring(slash + 1).trim();
            if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(Character::isDigit)) {
                throw new IllegalArgumentException("CIDR prefix must be 0..32");
            }
            int prefix = Integer.parseInt(len);
            if (prefix > 32) {
                throw new IllegalArgumentException("CIDR prefix must be 0..32");
            }
            return new Cidr(addr & mask(prefix), prefix);
        }

        static int mask(int prefix) {
            return prefix == 0 ? 0 : -1 << (32 - prefix);
        }

        public boolean contains(int address) {
            return (address & mask(prefix)) == network;
        }

        /** First host to probe: the network address itself is skipped for blocks larger than /31. */
        public int firstHost() {
            return prefix >= 31 ? network : network + 1;
        }

        /** Last host to probe: the broadcast address is skipped for blocks larger than /31. */
        public int lastHost() {
            int last = network | ~mask(prefix);
            return prefix >= 31 ? last : last - 1;
        }

        public long hostCount() {
            return Integer.toUnsignedLong(lastHost()) - Integer.toUnsignedLong(firstHost()) + 1;
        }

        @Override
        public String toString() {
            return Ipv4.format(network) + "/" + prefix;
        }
    }
}
