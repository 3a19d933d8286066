package org.cam.broker.bench;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cam.broker.support.ManagementDouble;
import org.cam.protocol.recording.RecordingScan;
import org.cam.protocol.recording.SegmentCodec;
import org.cam.protocol.rfb.ClientMessage;
import org.cam.protocol.rfb.VncAuth;
import org.cam.testsupport.Packages;

/**
 * Relay benchmark, side by side in one run on loopback: a long raw framebuffer stream device-to-client (MiB/s) and
 * the round trip of small client messages (p50/p99), for direct, socat, HAProxy (TCP mode) and the broker (after
 * the RFB handshake; the broker runs as its own process from the packaged jar, like socat and HAProxy), then heap per
 * idle broker session. Not a test: prints a table. See the module README for how to run it and the figures.
 *
 * <p>Arguments: path of quarkus-run.jar, seconds per throughput run, latency round trips, idle sessions.
 */
public final class RelayBenchmark {

    private static final AtomicInteger OTP = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        int idle = args.length > 3 ? Integer.parseInt(args[3]) : 5_000;
        // The peers it compares against, installed when missing (a fresh machine has neither).
        Packages.ensure("socat=socat", "haproxy=haproxy");
        Vertx vertx = Vertx.vertx();
        List<Process> processes = new ArrayList<>();
        try {
            Firehose device = new Firehose();
            int devicePort = device.start(vertx);
            ManagementDouble mgmt = new ManagementDouble();
            int mgmtPort = mgmt.start(vertx);

            int socatPort = freePort();
            processes.add(new ProcessBuilder("socat", "TCP-LISTEN:" + socatPort + ",bind=127.0.0.1,reuseaddr,fork",
                    "TCP:127.0.0.1:" + devicePort).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());

            int haproxyPort = freePort();
            Path cfg = Files.createTempFile("cam-bench-haproxy", ".cfg");
            Files.writeString(cfg, String.join("\n",
                    "global", "    maxconn 9000", "defaults", "    mode tcp", "    timeout connect 5s",
                    "    timeout client 1h", "    timeout server 1h", "frontend fe",
                    "    bind 127.0.0.1:" + haproxyPort, "    default_backend be", "backend be",
                    "    server device 127.0.0.1:" + devicePort, ""));
            processes.add(new ProcessBuilder("haproxy", "-db", "-f", cfg.toString()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start());

            // "broker+rec": the same broker, sessions whose claim asks for a recording (written here).
            Path recordings = Files.createTempDirectory("cam-bench-recordings");
            Broker b = startBroker(jar, mgmtPort, idle, recordings);
            int brokerPort = b.plainPort();
            Process broker = b.process();
            processes.add(broker);
            awaitPort(socatPort);
            awaitPort(haproxyPort);

            String[] names = {"direct", "socat", "haproxy", "broker", "brk+rec"};
            int[] ports = {devicePort, socatPort, haproxyPort, brokerPort, brokerPort};
            int paths = names.length;
            // One warm-up pass (JIT in the broker and in this client), then three measured passes, the paths
            // interleaved so that load from elsewhere on the machine hits them alike; medians are reported.
            int passes = 3;
            double[][] mib = new double[paths][passes];
            double[][] p50 = new double[paths][passes];
            double[][] p99 = new double[paths][passes];
            // Broker CPU per MiB relayed (user + system, all its threads): what recording costs, load aside.
            double[][] cpu = new double[paths][passes];
            for (int pass = -1; pass < passes; pass++) {
                int secs = pass < 0 ? 2 : seconds;
                int n = pass < 0 ? 2_000 : rounds;
                for (int i = 0; i < paths; i++) {
                    String otp = i >= 3 ? session(mgmt, devicePort, i == 4) : null;
                    long ticks0 = i >= 3 ? cpuTicks(broker.pid()) : 0;
                    double[] tm = throughput(ports[i], otp, secs);
                    double t = tm[0];
                    if (pass >= 0 && i >= 3) {
                        cpu[i][pass] = (cpuTicks(broker.pid()) - ticks0) * 10.0 / tm[1];
                    }
                    otp = i >= 3 ? session(mgmt, devicePort, i == 4) : null;
                    double[] l = latency(ports[i], otp, n);
                    if (pass >= 0) {
                        mib[i][pass] = t;
                        p50[i][pass] = l[0];
                        p99[i][pass] = l[1];
                    }
                }
            }
            double[] mibs = new double[paths];
            double[][] lat = new double[paths][];
            System.out.printf(Locale.ROOT, "%nper pass: MiB/s | p50 us | p99 us%n");
            for (int i = 0; i < paths; i++) {
                System.out.printf(Locale.ROOT, "%-8s %s | %s | %s%n", names[i],
                        Arrays.toString(Arrays.stream(mib[i]).mapToLong(Math::round).toArray()),
                        Arrays.toString(Arrays.stream(p50[i]).mapToLong(Math::round).toArray()),
                        Arrays.toString(Arrays.stream(p99[i]).mapToLong(Math::round).toArray()));
                mibs[i] = median(mib[i]);
                lat[i] = new double[] {median(p50[i]), median(p99[i])};
            }
            System.out.printf(Locale.ROOT, "%nmedians of %d passes, %d s and %d round trips each%n", passes, seconds,
                    rounds);
            System.out.printf(Locale.ROOT, "%-8s %12s %10s %10s %10s%n", "path", "MiB/s", "p50 us", "p99 us",
                    "vs haproxy");
            for (int i = 0; i < paths; i++) {
                System.out.printf(Locale.ROOT, "%-8s %12.0f %10.1f %10.1f %9.2fx%n", names[i], mibs[i], lat[i][0],
                        lat[i][1], mibs[i] / mibs[2]);
            }
            System.out.printf(Locale.ROOT, "broker/haproxy throughput %.1f%%, p50 delta %+.1f us, p99 delta %+.1f us%n",
                    100 * mibs[3] / mibs[2], lat[3][0] - lat[2][0], lat[3][1] - lat[2][1]);
            System.out.printf(Locale.ROOT, "recording on/off throughput %.2fx, recording/haproxy %.1f%%%n",
                    mibs[4] / mibs[3], 100 * mibs[4] / mibs[2]);
            System.out.printf(Locale.ROOT, "broker CPU ms per MiB relayed (passes; median): broker %s %.2f, brk+rec %s"
                    + " %.2f%n", Arrays.toString(Arrays.stream(cpu[3]).map(c -> Math.round(c * 100) / 100.0).toArray()),
                    median(cpu[3]), Arrays.toString(Arrays.stream(cpu[4]).map(c -> Math.round(c * 100) / 100.0)
                            .toArray()), median(cpu[4]));
            awaitRecordings(mgmt);
            long recorded = 0;
            long files = 0;
            long intact = 0;
            Map<SegmentCodec.Codec, Integer> codecs = new TreeMap<>();
            try (var list = Files.list(recordings)) {
                for (Path f : list.toList()) {
                    recorded += Files.size(f);
                    files++;
                    // Which codec the broker wrote (its default unless CAM_BENCH_BROKER_JVM sets another) and that
                    // every file chains.
                    byte[] all = Files.readAllBytes(f);
                    RecordingScan scan = RecordingScan.of(all, 0, all.length);
                    intact += scan.chainIntact() && !scan.truncatedTail() ? 1 : 0;
                    scan.segments().forEach(g -> codecs.merge(g.header().codec(), 1, Integer::sum));
                }
            }
            System.out.printf(Locale.ROOT, "recording segments by codec %s; %d of %d files chain whole%n", codecs,
                    intact, files);
            long relayed = mgmt.recordedDeviceBytes();
            System.out.printf(Locale.ROOT, "recordings: %d files, %.1f MiB for %.1f MiB relayed (ratio %.0f:1;"
                    + " the firehose repeats one gradient frame, far more compressible than a real screen)%n", files,
                    recorded / 1048576.0, relayed / 1048576.0, relayed / (double) Math.max(1, recorded));

            idleMemory(broker.pid(), brokerPort, mgmt, devicePort, idle);
        } finally {
            for (Process p : processes) {
                p.destroy();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }

    private static String session(ManagementDouble mgmt, int devicePort) {
        return session(mgmt, devicePort, false);
    }

    static String session(ManagementDouble mgmt, int devicePort, boolean record) {
        String otp = String.format("b%07d", OTP.incrementAndGet());
        ManagementDouble.Session s = mgmt.add("bench-" + otp, otp, "CONTROL", "127.0.0.1", devicePort, null, 0);
        s.record = record ? Boolean.TRUE : null;
        return otp;
    }

    /** Waits (bounded) until every recorded session has reported its end, so the files are complete. */
    private static void awaitRecordings(ManagementDouble mgmt) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(mgmt::recordingsReported);
    }

    /**
     * MiB/s of raw updates received during {@code seconds}, after the handshake and a 1 s ramp, and the MiB counted
     * from the start of the ramp to the close (the span the caller's CPU figure covers).
     */
    private static double[] throughput(int port, String otp, int seconds) throws IOException {
        try (Socket s = connect(port, otp)) {
            OutputStream out = s.getOutputStream();
            out.write(new ClientMessage.FramebufferUpdateRequest(false, 0, 0, Firehose.W, Firehose.H).encode());
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[256 * 1024];
            long rampEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            long ramp = 0;
            while (System.nanoTime() < rampEnd) {
                int n = in.read(buf);
                if (n < 0) {
                    throw new IOException("closed");
                }
                ramp += n;
            }
            long total = 0;
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long now;
            while ((now = System.nanoTime()) < end) {
                int n = in.read(buf);
                if (n < 0) {
                    throw new IOException("closed");
                }
                total += n;
            }
            return new double[] {total / 1048576.0 / ((now - start) / 1e9), (ramp + total) / 1048576.0};
        }
    }

    /** User + system clock ticks (1/100 s) of a process, all threads. */
    private static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    /** p50 and p99 round trip in microseconds of a 10-byte request answered by a 4-byte update. */
    private static double[] latency(int port, String otp, int rounds) throws IOException {
        try (Socket s = connect(port, otp)) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            byte[] req = new ClientMessage.FramebufferUpdateRequest(false, 0, 0, 1, 1).encode();
            long[] t = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                long t0 = System.nanoTime();
                out.write(req);
                out.flush();
                if (in.readNBytes(4).length != 4) {
                    throw new IOException("closed");
                }
                t[i] = System.nanoTime() - t0;
            }
            Arrays.sort(t);
            return new double[] {t[rounds / 2] / 1e3, t[(int) (rounds * 0.99)] / 1e3};
        }
    }

    /** Connects and completes the RFB handshake (VNC auth with {@code otp} when given, else None). */
    private static Socket connect(int port, String otp) throws IOException {
        Socket s = new Socket("127.0.0.1", port);
        s.setTcpNoDelay(true);
        s.setSoTimeout(30_000);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        read(in, 12);
        out.write("RFB 003.008\n".getBytes());
        int n = read(in, 1)[0];
        int type = read(in, n)[0];
        out.write(type);
        if (type == 2) {
            out.write(VncAuth.response(read(in, 16), otp));
        }
        if (ByteBuffer.wrap(read(in, 4)).getInt() != 0) {
            throw new IOException("security result failed");
        }
        out.write(1);
        byte[] head = read(in, 24);
        read(in, ByteBuffer.wrap(head, 20, 4).getInt());
        return s;
    }

    private static byte[] read(InputStream in, int n) throws IOException {
        byte[] b = in.readNBytes(n);
        if (b.length != n) {
            throw new IOException("closed during handshake");
        }
        return b;
    }

    /** Heap (after full GC) and RSS of the broker process before and after opening {@code n} idle sessions. */
    private static void idleMemory(long pid, int brokerPort, ManagementDouble mgmt, int devicePort, int n)
            throws Exception {
        long heap0 = heapUsedKiB(pid);
        long rss0 = rssKiB(pid);
        List<Socket> open = new ArrayList<>(n);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Socket>> f = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            String otp = session(mgmt, devicePort);
            f.add(pool.submit(() -> connect(brokerPort, otp)));
        }
        for (Future<Socket> x : f) {
            open.add(x.get(120, TimeUnit.SECONDS));
        }
        double openSecs = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        long heap1 = heapUsedKiB(pid);
        long rss1 = rssKiB(pid);
        System.out.printf(Locale.ROOT, "%nidle sessions: %d opened in %.1f s (%.0f handshakes/s incl. claim and device"
                + " handshake)%n", n, openSecs, n / openSecs);
        System.out.printf(Locale.ROOT, "broker heap after full GC: %d KiB -> %d KiB = %.1f KiB per idle session%n",
                heap0, heap1, (heap1 - heap0) / (double) n);
        System.out.printf(Locale.ROOT, "broker RSS: %d KiB -> %d KiB = %.1f KiB per idle session%n", rss0, rss1,
                (rss1 - rss0) / (double) n);
        // SIGTERM with all of them open: they run through the 3 s grace, then end with broker_drained, reported.
        long t1 = System.nanoTime();
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
        ProcessHandle.of(pid).ifPresent(h -> h.onExit().join());
        System.out.printf(Locale.ROOT, "SIGTERM with %d open sessions: process exited after %.1f s (grace 3 s); end"
                + " reports: broker_drained %d, client_closed %d, device_closed %d%n", n, (System.nanoTime() - t1) / 1e9,
                mgmt.endedWith("broker_drained"), mgmt.endedWith("client_closed"), mgmt.endedWith("device_closed"));
        for (Socket s : open) {
            s.close();
        }
    }

    private static long heapUsedKiB(long pid) throws Exception {
        run("jcmd", String.valueOf(pid), "GC.run");
        String info = run("jcmd", String.valueOf(pid), "GC.heap_info");
        Matcher m = Pattern.compile("used (\\d+)K").matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("no heap figure in: " + info);
        }
        return Long.parseLong(m.group(1));
    }

    private static long rssKiB(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        return -1;
    }

    private static String run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor(60, TimeUnit.SECONDS);
        return out;
    }

    /** The packaged broker as its own process, ready; its plain RFB port. */
    record Broker(Process process, int plainPort) {
    }

    /**
     * Starts the packaged broker against the management double, recordings into {@code recordings}; the per-address
     * caps allow {@code connections} from loopback. Extra JVM options (for profiling a run, e.g.
     * {@code -XX:StartFlightRecording=filename=rec.jfr}) come from {@code CAM_BENCH_BROKER_JVM}.
     */
    static Broker startBroker(Path jar, int mgmtPort, int connections, Path recordings) throws Exception {
        int brokerPort = freePort();
        int adminPort = freePort();
        List<String> command = new ArrayList<>(List.of("java", "-Xms512m", "-Xmx1g"));
        String extra = System.getenv("CAM_BENCH_BROKER_JVM");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of("-Dcam.broker.host=127.0.0.1", "-Dcam.broker.plain-port=" + brokerPort,
                "-Dcam.broker.tls-port=" + freePort(), "-Dcam.broker.websocket-port=" + freePort(),
                "-Dquarkus.http.port=" + adminPort, "-Dquarkus.http.host=127.0.0.1",
                "-Dquarkus.rest-client.management-api.url=http://127.0.0.1:" + mgmtPort,
                "-Dcam.broker.management.token=" + ManagementDouble.TOKEN, "-Dcam.broker.broker-id=bench",
                "-Dcam.broker.ticket.public-keys.auto=/nonexistent", "-Dquarkus.log.level=WARN",
                "-Dcam.broker.relay.default-idle-timeout=1h", "-Dcam.broker.drain-grace=3s",
                // every bench connection comes from loopback: the per-address caps meant for the network stay out
                "-Dcam.broker.limits.max-connections-per-address=" + (connections + 100),
                "-Dcam.broker.limits.max-handshakes=" + (connections + 100),
                "-Dcam.broker.limits.vnc-guess-burst=" + (connections + 100),
                "-Dcam.broker.recording.storage-dir=" + recordings, "-Dcam.broker.recording.spool-dir="
                        + Files.createTempDirectory("cam-bench-spool"), "-jar", jar.toString()));
        Process broker = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(jar.resolveSibling("bench-broker.log").toFile()).start();
        awaitReady(adminPort);
        return new Broker(broker, brokerPort);
    }

    private static void awaitReady(int adminPort) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + "/q/health/ready"))
                        .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not up yet
            }
            pause();
        }
        throw new IllegalStateException("broker not ready");
    }

    private static void awaitPort(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                pause();
            }
        }
        throw new IllegalStateException("nothing listens on " + port);
    }

    /** Polling pause for process start-up (a main program, not a test). */
    private static void pause() throws InterruptedException {
        TimeUnit.MILLISECONDS.sleep(200);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
