package org.cam.broker.bench;

import io.vertx.core.Vertx;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.cam.broker.support.ManagementDouble;
import org.cam.protocol.recording.RecordingScan;
import org.cam.protocol.rfb.Encodings;
import org.cam.simulator.rfb.ChannelScreen;
import org.cam.simulator.rfb.RfbChannelServer;
import org.cam.testsupport.rfb.RfbTestClient;

/**
 * Recording size of a console, measured through the packaged broker: two simulated 1024x768 channels side by side,
 * one idle (nothing on its screen changes; only the broker's keyframe every 10 s sends a full frame) and one busy
 * (the simulator's moving screen: its clock and a scrolling band redrawn every second), each watched by a viewer that
 * keeps an incremental update request outstanding (as noVNC and TigerVNC do) and offers Tight, Hextile and Raw. Prints
 * bytes per hour (extrapolated from the run) and the compression ratio (record bytes / file bytes). Not a test.
 *
 * <p>Arguments: path of quarkus-run.jar, seconds to record (at least two keyframe intervals is meaningful). The
 * broker's defaults apply (codec, keyframe interval); {@code CAM_BENCH_BROKER_JVM} (e.g.
 * {@code -Dcam.broker.recording.codec=zlib}) sets others.
 */
public final class RecordingSizeBenchmark {

    private RecordingSizeBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 180;
        Vertx vertx = Vertx.vertx();
        Process broker = null;
        try {
            ManagementDouble mgmt = new ManagementDouble();
            int mgmtPort = mgmt.start(vertx);
            Path recordings = Files.createTempDirectory("cam-bench-size");
            RelayBenchmark.Broker b = RelayBenchmark.startBroker(jar, mgmtPort, 10, recordings);
            broker = b.process();
            int brokerPort = b.plainPort();
            String[] names = {"idle", "busy"};
            List<RfbTestClient> viewers = new ArrayList<>();
            List<String> sessions = new ArrayList<>();
            for (String name : names) {
                ChannelScreen screen = new ChannelScreen(1024, 768, () -> new String[] {name, "size benchmark"},
                        Clock.systemUTC());
                RfbChannelServer device = new RfbChannelServer(vertx, "127.0.0.1", screen, () -> null, () -> name,
                        () -> null);
                int port;
                try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                    port = probe.getLocalPort();
                }
                device.listen(port).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                if (name.equals("busy")) {
                    vertx.setPeriodic(1000, id -> screen.tick());
                }
                String otp = RelayBenchmark.session(mgmt, port, true);
                sessions.add("bench-" + otp);
                RfbTestClient viewer = RfbTestClient.tcp("127.0.0.1", brokerPort).open(otp, true);
                viewer.setEncodings(Encodings.TIGHT, Encodings.HEXTILE, Encodings.RAW);
                viewer.request(false);
                viewers.add(viewer);
                Thread t = new Thread(() -> {
                    try {
                        while (true) {
                            viewer.readUpdate();
                            viewer.request(true);
                        }
                    } catch (Exception closed) {
                        // the run is over
                    }
                }, "viewer-" + name);
                t.setDaemon(true);
                t.start();
            }
            long start = System.nanoTime();
            Awaitility.await().atMost(java.time.Duration.ofSeconds(seconds + 60)).pollInterval(
                    java.time.Duration.ofSeconds(1)).until(() -> System.nanoTime() - start
                    >= TimeUnit.SECONDS.toNanos(seconds));
            for (RfbTestClient v : viewers) {
                v.close();
            }
            double secs = (System.nanoTime() - start) / 1e9;
            Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(mgmt::recordingsReported);
            System.out.printf(Locale.ROOT, "%nrecorded %.0f s per console (1024x768x32, Tight/Hextile/Raw offered,"
                    + " the broker's keyframe interval)%n", secs);
            for (int i = 0; i < names.length; i++) {
                Path f = recordings.resolve(sessions.get(i) + ".camrec");
                byte[] all = Files.readAllBytes(f);
                RecordingScan scan = RecordingScan.of(all, 0, all.length);
                long raw = scan.segments().stream().mapToLong(s -> s.header().rawLength()).sum();
                System.out.printf(Locale.ROOT, "%-5s file %,d bytes in %d segments (%s) = %.2f MiB per hour; records"
                        + " %,d bytes, compression %.1f:1%n", names[i], all.length, scan.segments().size(),
                        scan.segments().isEmpty() ? "-" : scan.segments().get(0).header().codec(),
                        all.length * 3600.0 / secs / 1048576.0, raw, raw / (double) all.length);
            }
        } finally {
            if (broker != null) {
                broker.destroy();
                if (!broker.waitFor(10, TimeUnit.SECONDS)) {
                    broker.destroyForcibly();
                }
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
