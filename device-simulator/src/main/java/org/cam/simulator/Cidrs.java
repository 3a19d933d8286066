package org.cam.simulator;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A list of IPv4 addresses and CIDR blocks ({@code 10.0.0.0/24,10.0.1.7}) as a test on addresses; empty: all. */
public final class Cidrs {

    private Cidrs() {
    }

    /** @throws IllegalArgumentException naming the entry that is not an IPv4 address or block */
    public static Predicate<InetAddress> parse(String list) {
        if (list == null || list.isBlank()) {
            return a -> true;
        }
        List<long[]> blocks = new ArrayList<>();
        for (String raw : list.split(",")) {
            String e = raw.trim();
            int slash = e.indexOf('/');
            int prefix = 32;
            try {
                if (slash >= 0) {
                    prefix = Integer.parseInt(e.substring(slash + 1));
                }
            } catch (NumberFormatException ex) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > 32) {
                throw new IllegalArgumentException("rfb-allowed-sources: not a CIDR block: " + e);
            }
            long mask = prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
            long net = value(SimulatorConfig.ipv4(slash >= 0 ? e.substring(0, slash) : e));
            blocks.add(new long[] {net & mask, mask});
        }
        return a -> {
            if (!(a instanceof Inet4Address v4)) {
                return false;
            }
            long v = value(v4);
            for (long[] b : blocks) {
                if ((v & b[1]) == b[0]) {
                    return true;
                }
            }
            return false;
        };
    }

    private static long value(Inet4Address a) {
        byte[] b = a.getAddress();
        return (b[0] & 0xffL) << 24 | (b[1] & 0xffL) << 16 | (b[2] & 0xffL) << 8 | (b[3] & 0xffL);
    }
}
