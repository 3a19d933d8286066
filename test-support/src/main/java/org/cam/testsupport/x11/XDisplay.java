package org.cam.testsupport.x11;

import static org.awaitility.Awaitility.await;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cam.testsupport.Packages;

/**
 * An X display of a test: an X server it started (Xvfb, or Xvnc which is an X server too) and the X clients it runs
 * there, with xdotool for the keyboard and mouse (XTEST, as a user's hands), xclip for the clipboard and xwd for
 * screenshots. {@link #close()} stops every process it started (clients first, then the server), by their ids.
 */
public final class XDisplay implements AutoCloseable {

    private final int number;
    private final Path logs;
    private final Process server;
    private final Path serverLog;
    private final List<Process> clients = new ArrayList<>();

    private XDisplay(int number, Path logs, Process server, Path serverLog) {
        this.number = number;
        this.logs = logs;
        this.server = server;
        this.serverLog = serverLog;
    }

    /** Xvfb on {@code :number}, {@code width}x{@code height}x24, no TCP listener; logs go into {@code logs}. */
    public static XDisplay xvfb(int number, int width, int height, Path logs) throws IOException {
        Packages.ensure("Xvfb=xvfb");
        return start(number, logs, List.of("Xvfb", ":" + number, "-screen", "0", width + "x" + height + "x24",
                "-nolisten", "tcp", "-noreset"));
    }

    /**
     * Any X server command for {@code :number} (for instance Xvnc with its RFB options); returns once the display
     * answers X requests.
     */
    public static XDisplay start(int number, Path logs, List<String> serverCommand) throws IOException {
        Packages.ensure("xdotool=xdotool", "xclip=xclip", "xwd=x11-apps", "xev=x11-utils");
        Files.createDirectories(logs);
        Path socket = Path.of("/tmp/.X11-unix/X" + number);
        if (Files.exists(socket) && !Files.exists(Path.of("/tmp/.X" + number + "-lock"))) {
            Files.delete(socket); // a stale socket of a killed server would make the new one refuse the display
        }
        String name = Path.of(serverCommand.get(0)).getFileName().toString();
        Path log = logs.resolve(name + "-" + number + ".log");
        Process p = new ProcessBuilder(serverCommand).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        XDisplay d = new XDisplay(number, logs, p, log);
        try {
            await(name + " :" + number + " ready").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (!p.isAlive()) {
                            throw new IllegalStateException(name + " exited: " + d.serverLog());
                        }
                        return d.exec(List.of("xdotool", "getdisplaygeometry")).exit == 0;
                    });
        } catch (RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    /** ":N", for DISPLAY. */
    public String name() {
        return ":" + number;
    }

    public int number() {
        return number;
    }

    public Process serverProcess() {
        return server;
    }

    public String serverLog() {
        try {
            return Files.readString(serverLog);
        } catch (IOException e) {
            return "";
        }
    }

    /** Starts an X client on this display, output into {@code logs/<logName>}; stopped on {@link #close()}. */
    public Process client(String logName, String... command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(logs.resolve(logName).toFile());
        pb.environment().put("DISPLAY", name());
        Process p = pb.start();
        synchronized (clients) {
            clients.add(p);
        }
        return p;
    }

    /** Runs a command on this display to its end; its standard output; fails unless it exits 0. */
    public String run(String... command) {
        Result r = exec(List.of(command));
        if (r.exit != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + r.exit + ": " + r.output);
        }
        return r.output;
    }

    private record Result(int exit, String output) {
    }

    private Result exec(List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().put("DISPLAY", name());
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, e.toString());
        }
    }

    // ---- a user's hands -------------------------------------------------------------------------------------------

    /** The id of the first visible window whose name matches (xdotool search --name), awaited. */
    public String awaitWindow(String namePattern, Duration atMost) {
        return await("window " + namePattern).atMost(atMost).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    Result r = exec(List.of("xdotool", "search", "--onlyvisible", "--name", namePattern));
                    return r.exit == 0 ? r.output.trim().split("\\s+")[0] : null;
                }, id -> id != null && !id.isEmpty());
    }

    /** Focuses the window and puts the pointer on it, so XTEST keys and clicks go there. */
    public void focus(String window) {
        run("xdotool", "mousemove", "--window", window, "40", "40");
        run("xdotool", "windowfocus", "--sync", window);
    }

    /** Types text through XTEST into the focused window. */
    public void type(String text) {
        run("xdotool", "type", "--delay", "40", text);
    }

    /** Key names as xdotool knows them (e.g. "ctrl+alt+Delete", "Return"). */
    public void key(String... keys) {
        List<String> cmd = new ArrayList<>(List.of("xdotool", "key", "--delay", "40"));
        cmd.addAll(List.of(keys));
        run(cmd.toArray(String[]::new));
    }

    public void mouseMove(int x, int y) {
        run("xdotool", "mousemove", String.valueOf(x), String.valueOf(y));
    }

    public void click(int button) {
        run("xdotool", "click", String.valueOf(button));
    }

    // ---- clipboard -------------------------------------------------------------------------------------------------

    /** Owns the CLIPBOARD selection with this text (xclip in the foreground, stopped on close). */
    public void setClipboard(String text) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("xclip", "-quiet", "-selection", "clipboard", "-i")
                .redirectErrorStream(true).redirectOutput(logs.resolve("xclip-" + number + ".log").toFile());
        pb.environment().put("DISPLAY", name());
        Process p = pb.start();
        p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        synchronized (clients) {
            clients.add(p);
        }
        // Owned once a reader gets it back.
        await("clipboard set on " + name()).atMost(Duration.ofSeconds(20)).until(() -> text.equals(clipboard()));
    }

    /** The CLIPBOARD selection's text, or "" when nobody owns it. */
    public String clipboard() {
        Result r = exec(List.of("xclip", "-o", "-selection", "clipboard"));
        return r.exit == 0 ? r.output : "";
    }

    // ---- screenshot ------------------------------------------------------------------------------------------------

    /** The root window as an image (xwd, ZPixmap 24/32 bpp, read here: no converter needed). */
    public BufferedImage screenshot() throws IOException {
        try {
            ProcessBuilder pb = new ProcessBuilder("xwd", "-root", "-silent");
            pb.environment().put("DISPLAY", name());
            Process p = pb.start();
            byte[] xwd = p.getInputStream().readAllBytes();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("xwd failed on " + name());
            }
            return decodeXwd(xwd);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    static BufferedImage decodeXwd(byte[] xwd) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(xwd));
        int[] h = new int[25];
        for (int i = 0; i < h.length; i++) {
            h[i] = in.readInt();
        }
        int headerSize = h[0];
        int format = h[2];
        int width = h[4];
        int height = h[5];
        int byteOrder = h[7];
        int bitsPerPixel = h[11];
        int bytesPerLine = h[12];
        int redMask = h[14];
        int greenMask = h[15];
        int blueMask = h[16];
        int ncolors = h[19];
        if (format != 2 || bitsPerPixel != 32) {
            throw new IOException("xwd format " + format + " at " + bitsPerPixel + " bpp is not read here");
        }
        int offset = headerSize + ncolors * 12;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int at = offset + y * bytesPerLine + x * 4;
                int v = byteOrder == 0
                        ? (xwd[at] & 0xff) | (xwd[at + 1] & 0xff) << 8 | (xwd[at + 2] & 0xff) << 16 | (xwd[at + 3] & 0xff) << 24
                        : (xwd[at + 3] & 0xff) | (xwd[at + 2] & 0xff) << 8 | (xwd[at + 1] & 0xff) << 16 | (xwd[at] & 0xff) << 24;
                img.setRGB(x, y, channel(v, redMask) << 16 | channel(v, greenMask) << 8 | channel(v, blueMask));
            }
        }
        return img;
    }

    private static int channel(int v, int mask) {
        int shift = Integer.numberOfTrailingZeros(mask);
        int bits = Integer.bitCount(mask);
        int c = (v & mask) >>> shift;
        return bits >= 8 ? c >> (bits - 8) : c << (8 - bits);
    }

    // ---- end ---------------------------------------------------------------------------------------------------------

    /** Stops this display's clients, then its server, each process family by id (SIGTERM, then SIGKILL). */
    @Override
    public void close() {
        List<Process> all;
        synchronized (clients) {
            all = new ArrayList<>(clients);
            clients.clear();
        }
        all.add(server);
        for (Process p : all) {
            stop(p);
        }
    }

    private static void stop(Process p) {
        List<ProcessHandle> family = Stream.concat(p.descendants(), Stream.of(p.toHandle())).toList();
        family.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : family) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }
}
