package org.cam.testsupport.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private layer-2 segment (needs root; CI runs as root) made of network namespaces: one namespace holds a bridge, every other namespace
 * gets a veth into it. Nothing touches the host's own namespace (the bridge is not in it), there is no uplink and
 * no default route, so nothing can leave the segment. Names are unique ({@code cam-<random>-...}) and
 * {@link #close()} deletes every namespace it made, which also removes the bridge and the veths.
 */
public final class Netns implements AutoCloseable {

    private final String prefix = "cam-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    private final String bridgeNs = prefix + "-br";
    private final List<String> created = new ArrayList<>();

    public Netns() throws IOException, InterruptedException {
        add(bridgeNs);
        run("ip", "-n", bridgeNs, "link", "add", "br0", "type", "bridge");
        run("ip", "-n", bridgeNs, "link", "set", "br0", "up");
    }

    /** Adds namespace {@code <prefix>-<name>} on the bridge with {@code address} (CIDR) on its eth0. */
    public String join(String name, String cidr) throws IOException, InterruptedException {
        String ns = prefix + "-" + name;
        add(ns);
        String port = "v" + name; // lives in the bridge namespace: no clash with the host's interface names
        run("ip", "-n", bridgeNs, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
        run("ip", "-n", bridgeNs, "link", "set", port, "master", "br0");
        run("ip", "-n", bridgeNs, "link", "set", port, "up");
        run("ip", "-n", ns, "addr", "add", cidr, "brd", "+", "dev", "eth0");
        run("ip", "-n", ns, "link", "set", "eth0", "up");
        run("ip", "-n", ns, "link", "set", "lo", "up");
        // The limited broadcast needs a route; this one keeps it on the segment.
        run("ip", "-n", ns, "route", "add", "255.255.255.255/32", "dev", "eth0");
        return ns;
    }

    /** The command prefix that runs a program inside {@code ns}. */
    public static List<String> exec(String ns) {
        return List.of("ip", "netns", "exec", ns);
    }

    public String prefix() {
        return prefix;
    }

    private void add(String ns) throws IOException, InterruptedException {
        run("ip", "netns", "add", ns);
        created.add(ns);
    }

    /** Runs a command; fails with its output unless it exits 0. */
    public static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", cmd));
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " exited " + p.exitValue() + ": " + text);
        }
        return text;
    }

    /** Namespaces whose name starts with our prefix (to check the clean-up). */
    public List<String> remaining() throws IOException, InterruptedException {
        List<String> out = new ArrayList<>();
        for (String line : run("ip", "netns", "list").split("\n")) {
            String name = line.trim().split(" ")[0];
            if (name.startsWith(prefix)) {
                out.add(name);
            }
        }
        return out;
    }

    @Override
    public void close() {
        // Device namespaces first, the bridge last; keep going on errors so nothing is left behind.
        for (int i = created.size() - 1; i >= 0; i--) {
            try {
                run("ip", "netns", "delete", created.get(i));
            } catch (IOException | InterruptedException e) {
                System.err.println("could not delete namespace " + created.get(i) + ": " + e.getMessage());
            }
        }
        created.clear();
    }
}
