package org.cam.discovery.udp;

import static org.cam.discovery.support.Auth.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cam.discovery.device.DeviceRegistry;
import org.cam.discovery.support.FakeFleet;
import org.cam.discovery.support.Metrics;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.cam.protocol.discovery.DiscoveryMessage;
import org.junit.jupiter.api.Test;

/** 100,000 malformed datagrams at the live socket while real devices announce. */
@QuarkusTest
class MalformedFloodTest {

    static final int FLOOD = 100_000;
    static final int SOURCES = 50;
    /**
     * Datagrams in flight at most. Loopback UDP drops what the receive buffer cannot hold; the service asks for
     * 4 MiB, which the kernel caps at net.core.rmem_max (and doubles). ~2.4 KB per queued datagram is the kernel's
     * accounting for the largest ones sent here.
     */
    static final int WINDOW = window();

    private static int window() {
        long rmemMax = 212_992;
        try {
            rmemMax = Long.parseLong(java.nio.file.Files.readString(
                    java.nio.file.Path.of("/proc/sys/net/core/rmem_max")).trim());
        } catch (Exception e) {
            // keep the kernel default
        }
        long effective = 2 * Math.min(rmemMax, 4L * 1024 * 1024);
        return (int) Math.max(64, Math.min(2_000, effective / 2_400 / 2));
    }

    @Inject
    UdpEndpoint endpoint;

    @Inject
    DeviceRegistry registry;

    @Inject
    MeterRegistry meters;

    @Test
    void keepsServingAndCountsEveryReject() throws Exception {
        await().until(endpoint::isBound);
        registry.clear();
        double receivedBefore = Metrics.counter(meters, "cam.discovery.datagrams.received");
        double rejectedBefore = Metrics.rejected(meters);
        double acceptedBefore = Metrics.counter(meters, "cam.discovery.datagrams.accepted");
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", endpoint.localPort());
        DiscoveryCodec codec = DiscoveryCodec.unsigned();
        byte[] valid = codec.encode(DiscoveryMessage.announce(1, FakeFleet.info(999, "127.0.3.1", "1.0.0", 1)));
        Random rnd = new Random(42);

        List<DatagramSocket> sources = new ArrayList<>();
        try (FakeFleet fleet = new FakeFleet(codec)) {
            List<FakeFleet.Device> devices = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                String a = "127.0.2." + (150 + i);
                devices.add(fleet.add(FakeFleet.info(300 + i, a, "1.0.0", 1), a, 0, false, 0));
            }
            for (int i = 0; i < SOURCES; i++) {
                sources.add(new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.3." + (10 + i)), 0)));
            }
            int sent = 0;
            int announced = 0;
            while (sent < FLOOD) {
                byte[] bad = malformed(rnd, valid);
                sources.get(sent % SOURCES).send(new DatagramPacket(bad, bad.length, target));
                sent++;
                if (sent % WINDOW == 0) {
                    // Keep at most WINDOW datagrams in flight so every one is accounted for: this tests correctness
                    // under garbage, not throughput (the benchmark measures that).
                    int expected = sent;
                    int ann = announced;
                    await().atMost(Duration.ofSeconds(30)).pollInSameThread().pollDelay(Duration.ZERO)
                            .pollInterval(Duration.ofMillis(1))
                            .until(() -> Metrics.counter(meters, "cam.discovery.datagrams.received") - receivedBefore
                                    - ann >= expected - WINDOW);
                }
                if (sent % 5_000 == 0) {
                    // Real devices keep announcing through the flood, and HTTP keeps answering.
                    devices.get(announced++ % devices.size()).announceTo("127.0.0.1", endpoint.localPort());
                    given().get("/q/health/ready").then().statusCode(200);
                }
            }
            for (FakeFleet.Device d : devices) {
                d.announceTo("127.0.0.1", endpoint.localPort());
            }
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(Metrics.rejected(meters) - rejectedBefore).isEqualTo(FLOOD);
                assertThat(registry.size()).isEqualTo(devices.size());
            });
            assertThat(Metrics.counter(meters, "cam.discovery.datagrams.accepted") - acceptedBefore)
                    .isEqualTo(announced + devices.size());
            assertThat(Metrics.counter(meters, "cam.discovery.datagrams.received") - receivedBefore)
                    .isEqualTo(FLOOD + announced + devices.size());
            // Several distinct decoder reasons were exercised, each counted under its own label.
            assertThat(meters.find("cam.discovery.datagrams.rejected").counters()).hasSizeGreaterThanOrEqualTo(4);
            given().get("/api/v1/discoveries").then().statusCode(200).body("size()", equalTo(devices.size()));
        } finally {
            sources.forEach(DatagramSocket::close);
        }
    }

    /** Garbage of several kinds: random bytes, a valid datagram truncated or with a flipped byte, oversize. */
    private static byte[] malformed(Random rnd, byte[] valid) {
        switch (rnd.nextInt(5)) {
            case 0: {
                byte[] b = new byte[1 + rnd.nextInt(200)];
                rnd.nextBytes(b);
                b[0] = 'X'; // never accidentally the magic
                return b;
            }
            case 1:
                return java.util.Arrays.copyOf(valid, 1 + rnd.nextInt(11)); // truncated header
            case 2: {
                byte[] b = java.util.Arrays.copyOf(valid, 12 + rnd.nextInt(valid.length - 12));
                b[b.length - 1] ^= 0x5A;
                return b.length == valid.length ? java.util.Arrays.copyOf(b, b.length - 1) : b; // truncated TLV
            }
            case 3: {
                byte[] b = valid.clone();
                b[4] = 9; // unsupported version
                return b;
            }
            default:
                return new byte[1500]; // too large
        }
    }
}
