package org.cam.protocol.discovery;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Sample values and generators for discovery tests, the fuzz test and the benchmarks. */
public final class DiscoveryFixtures {

    public static final SiteKey KEY = SiteKey.fromBase64("c2l0ZS1rZXktZm9yLXRlc3RzLW9ubHktMzItYnl0ZXM=");
    public static final SiteKey OTHER_KEY = SiteKey.of("another-site-key-also-32-bytes!!".getBytes(StandardCharsets.US_ASCII));

    private DiscoveryFixtures() {
    }

    public static Inet4Address ip(String dotted) {
        try {
            return (Inet4Address) InetAddress.getByName(dotted);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static Inet4Address ip(int v) {
        try {
            return (Inet4Address) InetAddress.getByAddress(
                    new byte[] {(byte) (v >>> 24), (byte) (v >>> 16), (byte) (v >>> 8), (byte) v});
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static CertificateFingerprint fingerprint(int seed) {
        byte[] b = new byte[32];
        new Random(seed).nextBytes(b);
        return CertificateFingerprint.of(b);
    }

    /** A typical simulated device. */
    public static DeviceInfo sampleDevice() {
        return new DeviceInfo(MacAddress.parse("02:00:5e:10:00:01"), "SN-2026-000123", "CAM-KVM-4",
                "2.4.1", "rack 12 / unit 7", ip("127.0.1.1"), 9443, new PortRange(5900, 5903), 4, 17,
                fingerprint(1));
    }

    public static DiscoveryMessage sampleAnnounce() {
        return DiscoveryMessage.announce(0x12345678, sampleDevice());
    }

    // ------------------------------------------------------------------------------------- plain Random (fuzz)

    private static final String[] TEXT_POOL = {"a", "Z", "0", " ", "-", "é", "ß", "Ω", "中", "文", "😀", "𝄞", "~"};

    public static String randomText(Random r, int maxBytes) {
        StringBuilder sb = new StringBuilder();
        int target = 1 + r.nextInt(maxBytes);
        int bytes = 0;
        while (true) {
            String c = TEXT_POOL[r.nextInt(TEXT_POOL.length)];
            int n = c.getBytes(StandardCharsets.UTF_8).length;
            if (bytes + n > target) {
                break;
            }
            sb.append(c);
            bytes += n;
        }
        return sb.length() == 0 ? "x" : sb.toString();
    }

    public static DeviceInfo randomDevice(Random r) {
        int first = 1 + r.nextInt(65535);
        int last = first + r.nextInt(Math.min(300, 65535 - first + 1));
        PortRange range = new PortRange(first, last);
        int channels = 1 + r.nextInt(Math.min(255, range.size()));
        return new DeviceInfo(new MacAddress(r.nextLong() & 0xFFFF_FFFF_FFFFL), randomText(r, 64),
                randomText(r, 64), randomText(r, 32), r.nextBoolean() ? randomText(r, 64) : null, ip(r.nextInt()),
                1 + r.nextInt(65535), range, channels, r.nextInt() & 0xFFFF_FFFFL, fingerprint(r.nextInt()));
    }

    public static DiscoveryMessage randomMessage(Random r) {
        int flags = r.nextInt(4) == 0 ? r.nextInt(0x8000) : 0;
        ManagerAddress mgr = new ManagerAddress(ip(r.nextInt()), 1 + r.nextInt(65535));
        switch (r.nextInt(3)) {
            case 0:
                return new DiscoveryMessage(MessageType.DISCOVER, flags, r.nextInt(), null, randomText(r, 64), mgr);
            case 1:
                return new DiscoveryMessage(MessageType.ANNOUNCE, flags, r.nextInt(), randomDevice(r),
                        r.nextBoolean() ? randomText(r, 64) : null, r.nextBoolean() ? mgr : null);
            default:
                return new DiscoveryMessage(MessageType.REPLY, flags, r.nextInt(), randomDevice(r),
                        r.nextBoolean() ? randomText(r, 64) : null, r.nextBoolean() ? mgr : null);
        }
    }

    // ----------------------------------------------------------------------------------------- jqwik arbitraries

    public static Arbitrary<String> text(int maxBytes) {
        return Arbitraries.strings()
                .withCharRange(' ', '~')
                .withCharRange('\u00a0', '\u024f')
                .withCharRange('\u4e00', '\u4e40')
                .ofMinLength(1).ofMaxLength(maxBytes)
                .filter(s -> s.getBytes(StandardCharsets.UTF_8).length <= maxBytes);
    }

    static Arbitrary<Inet4Address> ipv4() {
        return Arbitraries.integers().map(DiscoveryFixtures::ip);
    }

    static Arbitrary<PortRange> portRanges() {
        return Arbitraries.integers().between(1, 65535).flatMap(first ->
                Arbitraries.integers().between(first, Math.min(65535, first + 300)).map(last -> new PortRange(first, last)));
    }

    static Arbitrary<CertificateFingerprint> fingerprints() {
        return Arbitraries.bytes().array(byte[].class).ofSize(32).map(CertificateFingerprint::of);
    }

    public static Arbitrary<DeviceInfo> devices() {
        Arbitrary<MacAddress> macs = Arbitraries.longs().between(0, 0xFFFF_FFFF_FFFFL).map(MacAddress::new);
        Arbitrary<PortRange> ranges = portRanges();
        Arbitrary<Object[]> texts = Combinators.combine(text(64), text(64), text(32), text(64).injectNull(0.3))
                .as((a, b, c, d) -> new Object[] {a, b, c, d});
        Arbitrary<Object[]> rangeAndChannels = ranges.flatMap(range -> Arbitraries.integers()
                .between(1, Math.min(255, range.size())).map(ch -> new Object[] {range, ch}));
        return Combinators.combine(macs, texts, ipv4(), Arbitraries.integers().between(1, 65535), rangeAndChannels,
                        Arbitraries.longs().between(0, 0xFFFF_FFFFL), fingerprints())
                .as((mac, t, ip, https, rc, boot, fp) -> new DeviceInfo(mac, (String) t[0], (String) t[1],
                        (String) t[2], (String) t[3], ip, https, (PortRange) rc[0], (Integer) rc[1], boot, fp));
    }

    public static Arbitrary<DiscoveryMessage> messages() {
        Arbitrary<ManagerAddress> mgr = Combinators.combine(ipv4(), Arbitraries.integers().between(1, 65535))
                .as(ManagerAddress::new);
        Arbitrary<Integer> flags = Arbitraries.integers().between(0, DiscoveryMessage.MAX_FLAGS);
        Arbitrary<Integer> tx = Arbitraries.integers();
        Arbitrary<DiscoveryMessage> discover = Combinators.combine(flags, tx, text(64), mgr)
                .as((f, t, id, m) -> new DiscoveryMessage(MessageType.DISCOVER, f, t, null, id, m));
        Arbitrary<DiscoveryMessage> withDevice = Combinators.combine(Arbitraries.of(MessageType.ANNOUNCE,
                        MessageType.REPLY), flags, tx, devices(), text(64).injectNull(0.5), mgr.injectNull(0.5))
                .as(DiscoveryMessage::new);
        return Arbitraries.oneOf(discover, withDevice);
    }
}
