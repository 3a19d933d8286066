package org.cam.discovery.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cam.discovery.support.FakeFleet;
import org.cam.discovery.support.SimulatorProcess;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.cam.protocol.discovery.DiscoveryMessage;

/**
 * Benchmark (a plain main, not a test): starts the packaged service as a process on loopback and measures
 * <ol>
 *   <li>the time to discover 1,000 devices by a unicast sweep (device-simulator fleet in its own process, or
 *       codec-driven responders with {@code --fleet fake});
 *   <li>sustained ANNOUNCE ingest: datagrams/s the service accepts while one sender thread blasts valid ANNOUNCEs
 *       from 100 source addresses.
 * </ol>
 * Run: see the module README ("Benchmark").
 */
public final class DiscoveryBenchmark {

    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final int UDP_PORT = 33080;
    static final int DEVICE_PORT = 33180;
    static final int FALLBACK_PORT = 33181;
    static final int HTTP_PORT = 28181;
    static final String BASE = "http://127.0.0.1:" + HTTP_PORT;

    public static void main(String[] args) throws Exception {
        String jar = arg(args, "--jar", "target/quarkus-app/quarkus-run.jar");
        String fleetKind = arg(args, "--fleet", "simulator");
        int devices = Integer.parseInt(arg(args, "--devices", "1000"));
        int rounds = Integer.parseInt(arg(args, "--rounds", "3"));
        int ingestSeconds = Integer.parseInt(arg(args, "--ingest-seconds", "5"));
        String ingestRates = arg(args, "--ingest-rates", "10000,25000,50000,100000,0");
        boolean skipSweep = Boolean.parseBoolean(arg(args, "--skip-sweep", "false"));
        String sendRate = arg(args, "--send-rate", "5000");
        Path logs = Path.of(arg(args, "--logs", "target/bench-logs"));
        Files.createDirectories(logs);

        Process service = new ProcessBuilder(javaBin(), "-Xmx512m",
                "-Dquarkus.http.port=" + HTTP_PORT,
                "-Dquarkus.log.level=WARN",
                "-Dcam.discovery.udp.bind-address=127.0.0.1",
                "-Dcam.discovery.udp.port=" + UDP_PORT,
                "-Dcam.discovery.udp.device-port=" + DEVICE_PORT,
                "-Dcam.discovery.udp.fallback-port=" + FALLBACK_PORT,
                "-Dcam.discovery.scan.on-start=false",
                "-Dcam.discovery.scan.send-rate=" + sendRate,
                "-Dcam.discovery.forward.enabled=false",
                "-Dcam.discovery.forward.token=" + org.cam.discovery.support.Auth.TOKEN,   // the API's credential
                // The ingest run sends far above any device's rate; measure the pipeline, not the limiter.
                "-Dcam.discovery.rate-limit.per-second=1000000",
                "-Dcam.discovery.rate-limit.burst=1000000",
                "-jar", jar).redirectErrorStream(true).redirectOutput(logs.resolve("service.log").toFile()).start();
        try {
            awaitReady(service);
            System.out.printf("machine: %d cores, %s %s; service: %s%n", Runtime.getRuntime().availableProcessors(),
                    System.getProperty("java.vm.name"), System.getProperty("java.version"), jar);
            if (!skipSweep) {
                sweep(fleetKind, devices, rounds, sendRate, logs);
            }
            for (String rate : ingestRates.split(",")) {
                ingest(ingestSeconds, Integer.parseInt(rate.trim()));
            }
        } finally {
            service.destroy();
            if (!service.waitFor(15, TimeUnit.SECONDS)) {
                service.destroyForcibly();
            }
        }
    }

    private static void sweep(String fleetKind, int devices, int rounds, String sendRate, Path logs) throws Exception {
        String first = "127.0.8.1";
        int prefix = 32 - (int) Math.ceil(Math.log(devices + 2) / Math.log(2));
        String cidr = "127.0.8.0/" + prefix;
        AutoCloseable fleet;
        long t0 = System.nanoTime();
        if (fleetKind.equals("fake")) {
            FakeFleet f = new FakeFleet(DiscoveryCodec.unsigned());
            for (int i = 0; i < devices; i++) {
                String a = addressOf(first, i);
                f.add(FakeFleet.info(i + 1, a, "1.0.0", 1), a, DEVICE_PORT, true, FALLBACK_PORT);
            }
            fleet = f;
        } else {
            // Manual mode towards a port nobody listens on: boot ANNOUNCEs must not pre-fill the registry.
            SimulatorProcess sim = SimulatorProcess.start(List.of(), logs.resolve("simulator.log"),
                    "--count", Integer.toString(devices), "--first-address", first, "--discovery", "manual",
                    "--manager", "127.0.0.1:9", "--discovery-port", Integer.toString(DEVICE_PORT),
                    "--fallback-port", Integer.toString(FALLBACK_PORT), "--channels", "1", "--seed", "1000");
            fleet = sim;
            int ready = sim.awaitReady(Duration.ofMinutes(10)).size();
            if (ready != devices) {
                throw new IllegalStateException("simulator reported " + ready + " devices");
            }
        }
        System.out.printf("fleet: %d %s devices on %s.. ready in %d ms%n", devices, fleetKind, first,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
        try {
            List<Long> times = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                long start = System.nanoTime();
                JsonNode accepted = post("/api/v1/scans",
                        "{\"cidr\":\"" + cidr + "\",\"port\":" + DEVICE_PORT + ",\"timeoutMs\":3000}");
                String id = accepted.path("id").asText();
                long[] firstAllIn = {-1};
                java.util.concurrent.atomic.AtomicReference<JsonNode> polled =
                        new java.util.concurrent.atomic.AtomicReference<>();
                org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(2)).pollDelay(Duration.ZERO)
                        .pollInterval(Duration.ofMillis(5)).until(() -> {
                            JsonNode now = get("/api/v1/scans/" + id);
                            polled.set(now);
                            if (firstAllIn[0] < 0 && now.path("responderCount").asInt() >= devices) {
                                firstAllIn[0] = System.nanoTime() - start;
                            }
                            return now.path("status").asText().equals("COMPLETED");
                        });
                JsonNode scan = polled.get();
                long allIn = firstAllIn[0];
                Instant started = Instant.parse(scan.path("startedAt").asText());
                Instant last = started;
                for (JsonNode resp : scan.path("responders")) {
                    Instant at = Instant.parse(resp.path("at").asText());
                    if (at.isAfter(last)) {
                        last = at;
                    }
                }
                long serverMs = Duration.between(started, last).toMillis();
                times.add(serverMs);
                System.out.printf("sweep %d: %s (%d addresses, send rate %s/s): %d/%d answered; last REPLY %d ms "
                                + "after start (client saw all at %d ms)%n", r + 1, cidr, scan.path("planned").asLong(),
                        sendRate, scan.path("responderCount").asInt(), devices, serverMs,
                        allIn < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(allIn));
            }
            long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
            System.out.printf("sweep median: %d ms to discover %d devices%n", sorted[sorted.length / 2], devices);
        } finally {
            fleet.close();
        }
    }

    /** Sends valid ANNOUNCEs for {@code seconds} at {@code rate} datagrams/s (0: as fast as one thread can). */
    private static void ingest(int seconds, int rate) throws Exception {
        DiscoveryCodec codec = DiscoveryCodec.unsigned();
        int distinct = 1000;
        byte[][] datagrams = new byte[distinct][];
        for (int i = 0; i < distinct; i++) {
            datagrams[i] = codec.encode(DiscoveryMessage.announce(i,
                    FakeFleet.info(100_000 + i, addressOf("127.0.12.1", i), "1.0.0", 1)));
        }
        List<DatagramSocket> sources = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            sources.add(new DatagramSocket(new InetSocketAddress(InetAddress.getByName("127.0.16." + (i + 1)), 0)));
        }
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", UDP_PORT);
        try {
            double received0 = metric("cam_discovery_datagrams_received_total");
            double accepted0 = metric("cam_discovery_datagrams_accepted_total");
            long sent = 0;
            long start = System.nanoTime();
            long end = start + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < end) {
                if (rate > 0) {
                    long due = (long) ((System.nanoTime() - start) / 1e9 * rate);
                    if (sent >= due) {
                        Thread.onSpinWait();
                        continue;
                    }
                }
                for (int k = 0; k < 100; k++) {
                    byte[] d = datagrams[(int) (sent % distinct)];
                    sources.get((int) (sent % sources.size())).send(new DatagramPacket(d, d.length, target));
                    sent++;
                }
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            // Read the counters once the service has drained its socket buffer: two reads 200 ms apart agree.
            double[] last = {-1};
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        double now = metric("cam_discovery_datagrams_received_total");
                        boolean settled = now == last[0];
                        last[0] = now;
                        return settled;
                    });
            double received = metric("cam_discovery_datagrams_received_total") - received0;
            double accepted = metric("cam_discovery_datagrams_accepted_total") - accepted0;
            System.out.printf("ingest at %s: %d s, sent %.0f/s, service received %.0f/s, accepted %.0f/s "
                            + "(%.1f%% of sent; the rest dropped by the kernel's socket buffer)%n",
                    rate == 0 ? "full speed" : rate + "/s", seconds, sent / elapsed, received / elapsed,
                    accepted / elapsed, 100.0 * accepted / sent);
        } finally {
            sources.forEach(DatagramSocket::close);
        }
    }

    private static String addressOf(String first, int index) {
        String[] p = first.split("\\.");
        long v = (Long.parseLong(p[0]) << 24 | Long.parseLong(p[1]) << 16 | Long.parseLong(p[2]) << 8
                | Long.parseLong(p[3])) + index;
        return ((v >> 24) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 8) & 0xff) + "." + (v & 0xff);
    }

    private static double metric(String name) throws IOException, InterruptedException {
        String text = HTTP.send(HttpRequest.newBuilder(URI.create(BASE + "/q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("(?m)^" + name + "(?:\\{[^}]*\\})? ([0-9.E+-]+)$").matcher(text);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    private static JsonNode get(String path) throws IOException, InterruptedException {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(BASE + path))
                .header("Authorization", "Bearer " + org.cam.discovery.support.Auth.TOKEN).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static JsonNode post(String path, String body) throws IOException, InterruptedException {
        return JSON.readTree(HTTP.send(HttpRequest.newBuilder(URI.create(BASE + path))
                .header("Authorization", "Bearer " + org.cam.discovery.support.Auth.TOKEN)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString()).body());
    }

    private static void awaitReady(Process service) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .ignoreExceptionsInstanceOf(IOException.class).until(() -> {
                    if (!service.isAlive()) {
                        throw new IllegalStateException("service exited; see service.log");
                    }
                    return HTTP.send(HttpRequest.newBuilder(URI.create(BASE + "/q/health/ready")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                });
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String arg(String[] args, String name, String def) {
        int i = Arrays.asList(args).indexOf(name);
        return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
    }
}
