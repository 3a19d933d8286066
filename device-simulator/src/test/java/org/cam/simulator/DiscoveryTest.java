package org.cam.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.cam.protocol.discovery.DiscoveryMessage;
import org.cam.protocol.discovery.ManagerAddress;
import org.cam.protocol.discovery.MessageType;
import org.cam.protocol.discovery.SiteKey;
import org.junit.jupiter.api.Test;

/**
 * Discovery on real UDP sockets on loopback. The "manager" binds its own 127.N.200.x address (see TestNet) on port 3080 with
 * SO_REUSEADDR, so the test coexists with a discovery-service on the wildcard address.
 */
class DiscoveryTest {

    static final String KEY = Base64.getEncoder().encodeToString("0123456789abcdef0123456789abcdef".getBytes());

    private static DatagramSocket manager(String host) throws Exception {
        DatagramSocket s = new DatagramSocket(null);
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(host, 3080));
        s.setSoTimeout(10_000);
        return s;
    }

    private static DiscoveryMessage receive(DatagramSocket s, DiscoveryCodec codec, MessageType type) throws Exception {
        while (true) {
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            s.receive(p); // SocketTimeoutException fails the test after 10 s
            DiscoveryMessage m = codec.decode(p.getData(), 0, p.getLength());
            if (m.type() == type) {
                return m;
            }
        }
    }

    @Test
    void manualModeAnnouncesAtBootAndAfterRebootAndRepliesToDiscoverOn3081At3080() throws Exception {
        String mgr = TestNet.addr(200);
        DiscoveryCodec codec = DiscoveryCodec.unsigned();
        try (DatagramSocket listener = manager(mgr);
             Fleet fleet = new Fleet(SimulatorConfig.parse("--first-address", TestNet.addr(21), "--kvm-port", "15920",
                     "--https-port", "19443", "--tick-millis", "3600000", "--discovery", "manual",
                     "--manager", mgr + ":3080", "--reboot-millis", "100"));
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress(mgr, 0))) {
            fleet.start(m -> { }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            DiscoveryMessage a = receive(listener, codec, MessageType.ANNOUNCE);
            assertThat(a.isManualMode()).isTrue();
            assertThat(a.device().address().getHostAddress()).isEqualTo(TestNet.addr(21));
            assertThat(a.device().bootCounter()).isEqualTo(1);
            assertThat(a.device().kvmPorts().first()).isEqualTo(15920);
            assertThat(a.device().channelCount()).isEqualTo(3);
            assertThat(a.device().certificateFingerprint().toBytes())
                    .isEqualTo(fleet.members().get(0).device().certificate().fingerprint());

            // DISCOVER to the fallback port, from an ephemeral port: the REPLY comes to the manager's 3080.
            ManagerAddress answerTo = new ManagerAddress((Inet4Address) InetAddress.getByName(mgr), 3080);
            byte[] d = codec.encode(DiscoveryMessage.discover(0x1234abcd, "test-manager", answerTo));
            sender.send(new DatagramPacket(d, d.length, new InetSocketAddress(TestNet.addr(21), 3081)));
            DiscoveryMessage r = receive(listener, codec, MessageType.REPLY);
            assertThat(r.transactionId()).isEqualTo(0x1234abcd);
            assertThat(r.managerId()).isEqualTo("test-manager");
            assertThat(r.device().deviceId()).isEqualTo(a.device().deviceId());

            // Garbage is dropped and counted, and the device still answers afterwards.
            sender.send(new DatagramPacket(new byte[] {1, 2, 3}, 3, new InetSocketAddress(TestNet.addr(21), 3080)));
            sender.send(new DatagramPacket(d, d.length, new InetSocketAddress(TestNet.addr(21), 3080)));
            assertThat(receive(listener, codec, MessageType.REPLY).transactionId()).isEqualTo(0x1234abcd);
            assertThat(fleet.members().get(0).discovery().rejected()).isEqualTo(1);

            fleet.members().get(0).device().reboot();
            DiscoveryMessage again = receive(listener, codec, MessageType.ANNOUNCE);
            assertThat(again.device().bootCounter()).isEqualTo(2);
        }
    }

    @Test
    void withTheListenerOn3080DisabledTheFallbackStillWorksAndTheSiteKeyIsHonoured() throws Exception {
        String mgr = TestNet.addr(201);
        DiscoveryCodec signed = DiscoveryCodec.signed(SiteKey.fromBase64(KEY));
        try (DatagramSocket listener = manager(mgr);
             Fleet fleet = new Fleet(SimulatorConfig.parse("--first-address", TestNet.addr(22), "--kvm-port", "15930",
                     "--https-port", "19443", "--tick-millis", "3600000", "--discovery", "manual",
                     "--manager", mgr + ":3080", "--listen-primary", "false", "--site-key", KEY));
             DatagramSocket sender = new DatagramSocket(new InetSocketAddress(mgr, 0))) {
            fleet.start(m -> { }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            DiscoveryMessage a = receive(listener, signed, MessageType.ANNOUNCE); // verifies the HMAC
            assertThat(a.device().address().getHostAddress()).isEqualTo(TestNet.addr(22));

            ManagerAddress answerTo = new ManagerAddress((Inet4Address) InetAddress.getByName(mgr), 3080);
            byte[] unsigned = DiscoveryCodec.unsigned().encode(DiscoveryMessage.discover(1, "m", answerTo));
            sender.send(new DatagramPacket(unsigned, unsigned.length, new InetSocketAddress(TestNet.addr(22), 3081)));
            byte[] ok = signed.encode(DiscoveryMessage.discover(2, "m", answerTo));
            sender.send(new DatagramPacket(ok, ok.length, new InetSocketAddress(TestNet.addr(22), 3081)));
            // Only the signed DISCOVER is answered: the first REPLY to arrive carries transaction 2.
            assertThat(receive(listener, signed, MessageType.REPLY).transactionId()).isEqualTo(2);
            assertThat(fleet.members().get(0).discovery().rejected()).isEqualTo(1);
        }
    }
}
