package org.cam.broker.support;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Third-party RFB servers as processes on this module's loopback range: TigerVNC's Xvnc and QEMU's VNC server, with
 * the security each test asks for, and throw-away certificates made by openssl. Installed when missing.
 */
public final class RealServers implements AutoCloseable {

    private final List<Process> processes = new ArrayList<>();
    private final Path dir;

    public RealServers() throws IOException, InterruptedException {
        install("Xvnc=tigervnc-standalone-server", "qemu-system-x86_64=qemu-system-x86", "openssl=openssl",
                "xmessage=x11-utils");
        dir = Files.createTempDirectory("cam-real-servers");
    }

    public Path dir() {
        return dir;
    }

    private static void install(String... specs) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("bash", "../scripts/ensure-packages.sh"));
        cmd.addAll(List.of(specs));
        if (new ProcessBuilder(cmd).inheritIO().start().waitFor() != 0) {
            throw new IOException("could not install " + List.of(specs));
        }
    }

    /** A free TCP port in 22000-22999 on {@code host}. */
    public static int freePort(String host) throws IOException {
        try (var s = ScriptedDevice.bindInRange(host)) {
            return s.getLocalPort();
        }
    }

    /** Starts Xvnc on host:port with these extra arguments (security types, password file, certificates). */
    public void xvnc(String host, int port, String... args) throws IOException {
        int display;
        do {
            display = 600 + ThreadLocalRandom.current().nextInt(300);
        } while (Files.exists(Path.of("/tmp/.X11-unix/X" + display)) || Files.exists(Path.of("/tmp/.X" + display
                + "-lock")));
        List<String> cmd = new ArrayList<>(List.of("Xvnc", ":" + display, "-rfbport", String.valueOf(port),
                "-interface", host, "-geometry", "800x600", "-depth", "24", "-nolisten", "tcp", "-AlwaysShared",
                "-retro"));
        cmd.addAll(List.of(args));
        start(cmd, host, port);
        // Something on the screen, so updates carry real Tight/ZRLE/Hextile data: a window full of text.
        ProcessBuilder text = new ProcessBuilder("xmessage", "-geometry", "780x580+10+10", "-center",
                "CAM relay framing: ".repeat(3) + "0123456789 abcdefghijklmnopqrstuvwxyz ".repeat(40));
        text.environment().put("DISPLAY", ":" + display);
        Process p = text.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(p);
        int d = display;
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200)).until(() -> {
            ProcessBuilder info = new ProcessBuilder("xwininfo", "-root", "-children");
            info.environment().put("DISPLAY", ":" + d);
            Process i = info.redirectErrorStream(true).start();
            return new String(i.getInputStream().readAllBytes()).contains("xmessage");
        });
    }

    /**
     * Starts QEMU stopped before its first instruction (-S, no disk): a standard VGA whose screen says the guest has
     * not initialized the display, i.e. real text for the encoders; {@code vncOptions} go after the display.
     */
    public void qemu(String host, int port, List<String> extra, String vncOptions) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("qemu-system-x86_64", "-nodefaults", "-machine", "pc",
                "-vga", "std", "-S", "-display", "none"));
        cmd.addAll(extra);
        cmd.addAll(List.of("-vnc", host + ":" + (port - 5900) + vncOptions));
        start(cmd, host, port);
    }

    private void start(List<String> cmd, String host, int port) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(dir.resolve(cmd.get(0) + "-" + port + ".log").toFile()).start();
        processes.add(p);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!p.isAlive()) {
                throw new IllegalStateException(cmd + " exited: " + Files.readString(dir.resolve(cmd.get(0) + "-"
                        + port + ".log")));
            }
            try (Socket s = new Socket(host, port)) {
                return true;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** A throw-away CA and a server certificate for {@code ip} signed by it: ca.pem, server-cert.pem, server-key.pem. */
    public void certificates(String ip) throws IOException, InterruptedException {
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "2", "-subj", "/CN=cam test CA",
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign");
        run("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                "server-key.pem", "-out", "server.csr", "-subj", "/CN=" + ip);
        Files.writeString(dir.resolve("ext.cnf"), "subjectAltName=IP:" + ip + "\nextendedKeyUsage=serverAuth\n");
        run("openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca-key.pem",
                "-CAcreateserial", "-out", "server-cert.pem", "-days", "2", "-extfile", "ext.cnf");
        // QEMU's tls-creds-x509 directory layout.
        Files.copy(dir.resolve("ca.pem"), dir.resolve("ca-cert.pem"));
    }

    private void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(List.of(cmd) + ": " + out);
        }
    }

    @Override
    public void close() throws IOException {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
