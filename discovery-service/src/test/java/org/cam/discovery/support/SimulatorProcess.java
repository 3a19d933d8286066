package org.cam.discovery.support;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A device-simulator fleet in its own process ({@code org.cam.simulator.SimulatorMain} from the test class path),
 * optionally behind a command prefix such as {@code ip netns exec NS}. Output goes to a log file; the fleet is
 * ready when it prints its "fleet ready" line.
 */
public final class SimulatorProcess implements AutoCloseable {

    private static final Pattern DEVICE = Pattern.compile("device \\d+ ready: .* id=([0-9a-f:]{17}) ");

    private final Process process;
    private final Path log;

    private SimulatorProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    public static SimulatorProcess start(List<String> prefix, Path log, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(testClassPath());
        cmd.add("org.cam.simulator.SimulatorMain");
        cmd.addAll(List.of(args));
        Files.createDirectories(log.getParent());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        // No orphaned fleets if the test JVM dies before its @AfterAll.
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
        return new SimulatorProcess(p, log);
    }

    /** The test class path: surefire/failsafe run tests from a manifest-only jar, so java.class.path is not it. */
    public static String testClassPath() {
        String cp = System.getProperty("surefire.test.class.path");
        if (cp == null || cp.isBlank()) {
            cp = System.getProperty("java.class.path");
        }
        return String.join(File.pathSeparator, cp.split(File.pathSeparator));
    }

    /** Waits for "fleet ready" and returns the device ids in order. */
    public List<String> awaitReady(Duration atMost) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("simulator exited with " + process.exitValue() + ":\n" + output());
            }
            return output().contains("fleet ready");
        });
        List<String> ids = new ArrayList<>();
        Matcher m = DEVICE.matcher(output());
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }
}
