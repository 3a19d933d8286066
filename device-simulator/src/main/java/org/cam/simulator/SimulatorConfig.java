package org.cam.simulator;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The simulator's one configuration object (the plain-Java counterpart of a service's @ConfigMapping):
 * command-line options {@code --name value} or {@code --name=value}; see {@link #usage()}.
 *
 * @param count             devices to run
 * @param firstAddress      address of device 1; device i gets firstAddress + i - 1
 * @param channels          channels (target servers) per device
 * @param discoveryMode     auto (broadcast ANNOUNCE) or manual (unicast to {@code manager})
 * @param manager           the manager's discovery address host:port (manual mode)
 * @param siteKey           base64 site HMAC key, or null
 * @param seed              seed for deterministic ids (MAC, serial)
 * @param kvmFirstPort      first KVM port; channel c listens on kvmFirstPort + c - 1
 * @param httpsPort         HTTPS device API port
 * @param stateDir          where certificates and device state persist, or null for memory only
 * @param bootstrapPassword the credential accepted before enrolment
 * @param listenPrimary     listen for DISCOVER on the primary discovery port (off to test the fallback)
 * @param discoveryPort     primary discovery port (3080): where DISCOVER arrives and ANNOUNCE is sent
 * @param fallbackPort      fallback discovery port (3081)
 * @param broadcastAddress  destination of auto-mode ANNOUNCE
 * @param udpWildcard       bind the discovery sockets to 0.0.0.0 (a device alone in a namespace, to hear
 *                          broadcast DISCOVER) instead of the device address
 * @param width             framebuffer width
 * @param height            framebuffer height
 * @param tickMillis        screen clock period
 * @param rebootMillis      how long a simulated reboot takes
 * @param firmwareMillis    how long writing a firmware image takes
 * @param eventLoops        Vert.x event loop threads shared by all devices
 * @param modelName         model string advertised
 * @param namePrefix        device names are prefix-NNN
 * @param switchAttached    the last N devices of the fleet sit behind a KVM switch: one video path for all their
 *                          channels, so a viewer on one channel makes the others busy
 * @param configMillis      how long applying a configuration change takes (real appliances take seconds)
 * @param rfbAllowedSources IPv4 addresses or CIDR blocks, comma-separated, that may speak RFB to the channels (the
 *                          brokers); empty: everybody
 */
public record SimulatorConfig(
        int count,
        Inet4Address firstAddress,
        int channels,
        String discoveryMode,
        String manager,
        String siteKey,
        long seed,
        int kvmFirstPort,
        int httpsPort,
        Path stateDir,
        String bootstrapPassword,
        boolean listenPrimary,
        int discoveryPort,
        int fallbackPort,
        String broadcastAddress,
        boolean udpWildcard,
        int width,
        int height,
        long tickMillis,
        long rebootMillis,
        long firmwareMillis,
        int eventLoops,
        String modelName,
        String namePrefix,
        int switchAttached,
        long configMillis,
        String rfbAllowedSources) {

    /** Local defaults: one 3-channel device on 127.0.1.1, HTTPS 9443, KVM 5900-5902, auto discovery. */
    public static SimulatorConfig defaults() {
        return new SimulatorConfig(1, ipv4("127.0.1.1"), 3, "auto", "127.0.0.1:3080", null, 1L, 5900, 9443, null,
                "cam-bootstrap", true, 3080, 3081, "255.255.255.255", false, 1024, 768, 1000, 1500, 3000, 2,
                "CAM-SIM-KVM", "sim", 0, 0, "");
    }

    public SimulatorConfig {
        if (count < 1 || count > 60000) {
            throw new IllegalArgumentException("count must be 1..60000");
        }
        if (channels < 1 || channels > 64) {
            throw new IllegalArgumentException("channels must be 1..64");
        }
        discoveryMode = discoveryMode.toLowerCase(Locale.ROOT);
        if (!discoveryMode.equals("auto") && !discoveryMode.equals("manual")) {
            throw new IllegalArgumentException("discovery must be auto or manual");
        }
        if (udpWildcard && (count != 1 || firstAddress.isLoopbackAddress())) {
            // On the host a wildcard socket would send auto-mode broadcasts out of the real interface.
            throw new IllegalArgumentException(
                    "--udp-wildcard is for one device alone in a network namespace (count 1, non-loopback address)");
        }
        if (switchAttached < 0) {
            // Not checked against count: options apply in order, and more than count simply means all of them.
            throw new IllegalArgumentException("switch-attached must be 0 or more");
        }
        if (configMillis < 0 || configMillis > 600_000) {
            throw new IllegalArgumentException("config-millis must be 0..600000");
        }
        rfbAllowedSources = rfbAllowedSources == null ? "" : rfbAllowedSources.trim();
        Cidrs.parse(rfbAllowedSources);   // fails here on a malformed list, not at the first connection
        if (kvmFirstPort < 1 || kvmFirstPort + channels - 1 > 65535 || httpsPort < 1 || httpsPort > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
    }

    /** Parses command-line options over {@link #defaults()}. */
    public static SimulatorConfig parse(String... args) {
        SimulatorConfig c = defaults();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + a);
            }
            String name;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                name = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                name = a.substring(2);
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--" + name + " needs a value");
                }
                value = args[++i];
            }
            c = c.with(name, value);
        }
        return c;
    }

    private SimulatorConfig with(String name, String v) {
        int count = this.count;
        Inet4Address firstAddress = this.firstAddress;
        int channels = this.channels;
        String discoveryMode = this.discoveryMode;
        String manager = this.manager;
        String siteKey = this.siteKey;
        long seed = this.seed;
        int kvmFirstPort = this.kvmFirstPort;
        int httpsPort = this.httpsPort;
        Path stateDir = this.stateDir;
        String bootstrapPassword = this.bootstrapPassword;
        boolean listenPrimary = this.listenPrimary;
        int discoveryPort = this.discoveryPort;
        int fallbackPort = this.fallbackPort;
        String broadcastAddress = this.broadcastAddress;
        boolean udpWildcard = this.udpWildcard;
        int width = this.width;
        int height = this.height;
        long tickMillis = this.tickMillis;
        long rebootMillis = this.rebootMillis;
        long firmwareMillis = this.firmwareMillis;
        int eventLoops = this.eventLoops;
        String modelName = this.modelName;
        String namePrefix = this.namePrefix;
        int switchAttached = this.switchAttached;
        long configMillis = this.configMillis;
        String rfbAllowedSources = this.rfbAllowedSources;
        switch (name) {
            case "count": count = Integer.parseInt(v); break;
            case "first-address": firstAddress = ipv4(v); break;
            case "channels": channels = Integer.parseInt(v); break;
            case "discovery": discoveryMode = v; break;
            case "manager": manager = v; break;
            case "site-key": siteKey = v.isEmpty() ? null : v; break;
            case "seed": seed = Long.parseLong(v); break;
            case "kvm-port": kvmFirstPort = Integer.parseInt(v.contains("-") ? v.substring(0, v.indexOf('-')) : v); break;
            case "https-port": httpsPort = Integer.parseInt(v); break;
            case "state-dir": stateDir = v.isEmpty() ? null : Path.of(v); break;
            case "bootstrap-password": bootstrapPassword = v; break;
            case "listen-primary": listenPrimary = Boolean.parseBoolean(v); break;
            case "discovery-port": discoveryPort = Integer.parseInt(v); break;
            case "fallback-port": fallbackPort = Integer.parseInt(v); break;
            case "broadcast-address": broadcastAddress = v; break;
            case "udp-wildcard": udpWildcard = Boolean.parseBoolean(v); break;
            case "width": width = Integer.parseInt(v); break;
            case "height": height = Integer.parseInt(v); break;
            case "tick-millis": tickMillis = Long.parseLong(v); break;
            case "reboot-millis": rebootMillis = Long.parseLong(v); break;
            case "firmware-millis": firmwareMillis = Long.parseLong(v); break;
            case "event-loops": eventLoops = Integer.parseInt(v); break;
            case "model": modelName = v; break;
            case "name-prefix": namePrefix = v; break;
            case "switch-attached": switchAttached = Integer.parseInt(v); break;
            case "config-millis": configMillis = Long.parseLong(v); break;
            case "rfb-allowed-sources": rfbAllowedSources = v; break;
            default: throw new IllegalArgumentException("unknown option --" + name + "\n" + usage());
        }
        return new SimulatorConfig(count, firstAddress, channels, discoveryMode, manager, siteKey, seed, kvmFirstPort,
                httpsPort, stateDir, bootstrapPassword, listenPrimary, discoveryPort, fallbackPort, broadcastAddress,
                udpWildcard, width, height, tickMillis, rebootMillis, firmwareMillis, eventLoops, modelName, namePrefix,
                switchAttached, configMillis, rfbAllowedSources);
    }

    /** The address of device {@code index} (0-based): the index-th usable address from the first one. */
    public Inet4Address addressOf(int index) {
        byte[] b = firstAddress.getAddress();
        long v = (b[0] & 0xffL) << 24 | (b[1] & 0xffL) << 16 | (b[2] & 0xffL) << 8 | (b[3] & 0xffL);
        // Addresses ending in .0 or .255 are skipped, as on a real /24: the kernel refuses some binds there.
        while ((v & 0xff) == 0 || (v & 0xff) == 255) {
            v++;
        }
        for (int i = 0; i < index; i++) {
            do {
                v++;
            } while ((v & 0xff) == 0 || (v & 0xff) == 255);
        }
        return ipv4(((v >> 24) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 8) & 0xff) + "." + (v & 0xff));
    }

    static Inet4Address ipv4(String s) {
        try {
            InetAddress a = InetAddress.getByName(s);
            if (a instanceof Inet4Address v4) {
                return v4;
            }
        } catch (UnknownHostException e) {
            // fall through
        }
        throw new IllegalArgumentException("not an IPv4 address: " + s);
    }

    public static String usage() {
        return String.join("\n",
                "usage: java -jar device-simulator.jar [options]",
                "  --count N                devices (1)",
                "  --first-address A        address of the first device; the others follow (127.0.1.1)",
                "  --channels N             channels per device (3)",
                "  --discovery auto|manual  broadcast ANNOUNCE, or unicast to --manager (auto)",
                "  --manager HOST:PORT      manager discovery address for manual mode (127.0.0.1:3080)",
                "  --site-key BASE64        site HMAC key for discovery datagrams (none)",
                "  --seed N                 seed for deterministic MAC ids and serials (1)",
                "  --kvm-port FIRST[-LAST]  first KVM port; channel c on FIRST+c-1 (5900)",
                "  --https-port P           HTTPS device API port (9443)",
                "  --state-dir DIR          keep certificates and device state here (memory only)",
                "  --bootstrap-password S   credential before enrolment (cam-bootstrap)",
                "  --listen-primary BOOL    listen for DISCOVER on the primary port (true)",
                "  --discovery-port P / --fallback-port P   (3080 / 3081)",
                "  --broadcast-address A    auto-mode ANNOUNCE destination (255.255.255.255)",
                "  --udp-wildcard BOOL      bind discovery sockets to 0.0.0.0 (false)",
                "  --width W --height H     framebuffer size (1024x768)",
                "  --switch-attached N      the last N devices are behind a KVM switch: one channel at a time (0)",
                "  --config-millis MS       time a configuration change takes to apply (0)",
                "  --rfb-allowed-sources L  addresses/CIDRs (comma-separated) allowed to speak RFB: the brokers (all)",
                "  --tick-millis, --reboot-millis, --firmware-millis, --event-loops, --model, --name-prefix");
    }
}
