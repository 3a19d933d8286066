package org.cam.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.cam.protocol.discovery.DiscoveryMessage;
import org.cam.protocol.discovery.MessageType;
import org.cam.testsupport.net.Netns;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Broadcast discovery across network namespaces. The test builds a private LAN ({@link Netns}): namespace "dev"
 * (the device), namespace "mgr" (a stand-in manager) and a namespace holding a bridge, joined by veth pairs.
 * Addresses (10.213.N.0/24) exist only inside those namespaces; nothing is added to the host's own
 * namespace and there is no route anywhere else. Everything is removed afterwards, also on failure.
 * Needs root (CI runs as root), like every test here that runs in CI: it is never skipped.
 */
class NamespaceBroadcastTest {

    private final int subnet = 20 + (int) (ProcessHandle.current().pid() % 200);
    private final String devIp = "10.213." + subnet + ".2";
    private final String mgrIp = "10.213." + subnet + ".3";
    private final String bcast = "10.213." + subnet + ".255";
    private final List<Process> processes = new ArrayList<>();
    private Netns net;
    private String nsDev;
    private String nsMgr;

    @BeforeEach
    void network() throws Exception {
        net = new Netns();
        nsDev = net.join("dev", devIp + "/24");
        nsMgr = net.join("mgr", mgrIp + "/24");
    }

    @AfterEach
    void removeNetwork() throws Exception {
        processes.forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
        processes.forEach(Process::destroyForcibly);
        if (net != null) {
            net.close();
            assertThat(net.remaining()).as("namespaces left behind").isEmpty();
        }
    }

    private Process javaIn(String ns, String mainClass, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(Netns.exec(ns));
        cmd.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djava.awt.headless=true",
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        processes.add(p);
        return p;
    }

    private static BlockingQueue<String> lines(Process p) {
        BlockingQueue<String> q = new LinkedBlockingQueue<>();
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String l;
                while ((l = r.readLine()) != null) {
                    q.add(l);
                }
            } catch (IOException e) {
                // process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return q;
    }

    private static String await(BlockingQueue<String> q, String prefix, Process p) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        StringBuilder seen = new StringBuilder();
        while (System.nanoTime() < deadline) {
            String l = q.poll(1, TimeUnit.SECONDS);
            if (l == null) {
                continue;
            }
            seen.append(l).append('\n');
            if (l.startsWith(prefix)) {
                return l;
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "'; output:\n" + seen);
    }

    @Test
    void broadcastAnnounceCrossesTheBridgeAndABroadcastDiscoverIsAnswered() throws Exception {
        Process manager = javaIn(nsMgr, UdpCapture.class.getName(), mgrIp, bcast);
        BlockingQueue<String> mgrOut = lines(manager);
        await(mgrOut, "listening", manager);

        Process device = javaIn(nsDev, SimulatorMain.class.getName(), "--first-address", devIp, "--discovery", "auto",
                "--broadcast-address", bcast, "--udp-wildcard", "true", "--kvm-port", "5900", "--https-port", "9443",
                "--tick-millis", "3600000", "--event-loops", "1");
        BlockingQueue<String> devOut = lines(device);
        await(devOut, "fleet ready", device);

        DiscoveryCodec codec = DiscoveryCodec.unsigned();
        DiscoveryMessage announce = codec.decode(HexFormat.of().parseHex(await(mgrOut, "datagram ", manager).substring(9)));
        assertThat(announce.type()).isEqualTo(MessageType.ANNOUNCE);
        assertThat(announce.isManualMode()).isFalse();
        assertThat(announce.device().address().getHostAddress()).isEqualTo(devIp);
        assertThat(announce.device().bootCounter()).isEqualTo(1);

        DiscoveryMessage reply = codec.decode(HexFormat.of().parseHex(await(mgrOut, "datagram ", manager).substring(9)));
        assertThat(reply.type()).isEqualTo(MessageType.REPLY);
        assertThat(reply.transactionId()).isEqualTo(77);
        assertThat(reply.device().deviceId()).isEqualTo(announce.device().deviceId());
    }
}
