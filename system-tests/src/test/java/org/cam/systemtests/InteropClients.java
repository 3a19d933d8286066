package org.cam.systemtests;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.image.BufferedImage;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.cam.testsupport.Processes;
import org.cam.testsupport.browser.Chromium;
import org.cam.testsupport.rfb.VncPasswordFile;
import org.cam.testsupport.x11.XDisplay;

/**
 * The stock clients of the interop matrix, as a user runs them against the broker with a session's one-time
 * password or ticket, at the address the session answer names: vncsnapshot (reads one picture and leaves), TigerVNC's
 * viewer on an Xvfb display driven by xdotool (plain RFB, or VeNCrypt X509Vnc checked against the broker's CA), and
 * noVNC 1.7 in headless Chromium driven over the DevTools protocol.
 */
final class InteropClients {

    private InteropClients() {
    }

    /** One connected client of one cell. */
    interface Run extends AutoCloseable {
        /** vncsnapshot only reads a picture: no keys, pointer or clipboard. */
        boolean interactive();

        void type(String text) throws Exception;

        void movePointer() throws Exception;

        void setClipboard(String text) throws Exception;

        /** The clipboard text the client got from the target, or null/"" when none. */
        String clipboard() throws Exception;

        @Override
        void close() throws Exception;
    }

    interface Client {
        String name();

        /**
         * Connects through the broker with the session answer of management-api; throws when it cannot, or as soon as
         * {@code ended} reports the session's end (why it ended).
         */
        Run connect(JsonNode session, Path dir, Callable<String> ended) throws Exception;
    }

    /** "host:port" of a session answer as VNC clients write it ("host::port"; "host:N" would be display N). */
    static String vncAddress(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        return hostPort.substring(0, colon) + "::" + hostPort.substring(colon + 1);
    }

    // ---- vncsnapshot ---------------------------------------------------------------------------------------------

    static final class Vncsnapshot implements Client {
        @Override
        public String name() {
            return "vncsnapshot";
        }

        @Override
        public Run connect(JsonNode session, Path dir, Callable<String> ended) throws Exception {
            Path passwd = VncPasswordFile.write(dir.resolve("snapshot-passwd"), session.path("vncPassword").asText());
            Path image = dir.resolve("snapshot.jpg");
            Files.deleteIfExists(image);
            Path log = dir.resolve("snapshot.log");
            Process p = new ProcessBuilder("vncsnapshot", "-quiet", "-passwd", passwd.toString(),
                    vncAddress(session.path("rfb").asText()), image.toString()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("vncsnapshot did not finish in 30 s: " + firstLine(Files.readString(log)));
            }
            if (p.exitValue() != 0 || !Files.exists(image)) {
                throw new IllegalStateException("vncsnapshot exited " + p.exitValue() + ": "
                        + firstLine(Files.readString(log)));
            }
            BufferedImage img = ImageIO.read(image.toFile());
            if (img == null || img.getWidth() < 320) {
                throw new IllegalStateException("vncsnapshot saved no picture");
            }
            return new Run() {
                @Override
                public boolean interactive() {
                    return false;
                }

                @Override
                public void type(String text) {
                }

                @Override
                public void movePointer() {
                }

                @Override
                public void setClipboard(String text) {
                }

                @Override
                public String clipboard() {
                    return null;
                }

                @Override
                public void close() {
                }
            };
        }
    }

    // ---- xtigervncviewer -------------------------------------------------------------------------------------------

    static final class TigerViewer implements Client {
        private final XDisplay xvfb;
        private final Path logs;
        private final Path brokerCa;

        /**
         * {@code brokerCa} null: the broker's plain RFB port (VNC Authentication); else its VeNCrypt port, X509Vnc only
         * (TLS, then VNC Authentication inside it), the broker's certificate checked against this CA (PEM) and the
         * address, as a user configures the viewer.
         */
        TigerViewer(XDisplay xvfb, Path logs, Path brokerCa) {
            this.xvfb = xvfb;
            this.logs = logs;
            this.brokerCa = brokerCa;
        }

        @Override
        public String name() {
            return brokerCa == null ? "xtigervncviewer" : "xtigervncviewer X509Vnc";
        }

        @Override
        public Run connect(JsonNode session, Path dir, Callable<String> ended) throws Exception {
            Path passwd = VncPasswordFile.write(dir.resolve("viewer-passwd"), session.path("vncPassword").asText());
            List<String> cmd = new ArrayList<>(List.of("xtigervncviewer", "-passwd", passwd.toString(), "-Shared",
                    "-AcceptClipboard", "-SendClipboard", "-SetPrimary=0", "-SendPrimary=0"));
            if (brokerCa == null) {
                cmd.add(vncAddress(session.path("rfb").asText()));
            } else {
                // Only X509Vnc: a viewer that fell back to anything unencrypted would not pass this cell.
                cmd.addAll(List.of("-SecurityTypes", "X509Vnc", "-X509CA", brokerCa.toString(),
                        vncAddress(session.path("rfbTls").asText())));
            }
            String logName = "xtigervncviewer-" + System.nanoTime() + ".log";
            Process viewer = xvfb.client(logName, cmd.toArray(String[]::new));
            Callable<String> exited = () -> "xtigervncviewer exited " + viewer.exitValue() + ": "
                    + lastLine(logs.resolve(logName));
            String window;
            try {
                window = await("viewer window").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                        .until(() -> {
                            if (!viewer.isAlive()) {
                                throw new IllegalStateException(exited.call());
                            }
                            String why = ended.call();
                            if (why != null) {
                                throw new IllegalStateException("session ended: " + why);
                            }
                            try {
                                return xvfb.awaitWindow("TigerVNC$", Duration.ofMillis(300));
                            } catch (org.awaitility.core.ConditionTimeoutException e) {
                                return null;
                            }
                        }, w -> w != null);
            } catch (RuntimeException e) {
                Processes.stop(viewer);
                throw e;
            }
            xvfb.focus(window);
            return new Run() {
                @Override
                public boolean interactive() {
                    return true;
                }

                @Override
                public void type(String text) throws Exception {
                    alive();
                    xvfb.focus(window);
                    xvfb.type(text);
                }

                @Override
                public void movePointer() throws Exception {
                    alive();
                    xvfb.run("xdotool", "mousemove", "--window", window, "200", "150");
                    xvfb.run("xdotool", "mousemove", "--window", window, "260", "190");
                }

                @Override
                public void setClipboard(String text) throws Exception {
                    alive();
                    xvfb.setClipboard(text);
                }

                @Override
                public String clipboard() {
                    return xvfb.clipboard();
                }

                private void alive() throws Exception {
                    if (!viewer.isAlive()) {
                        throw new IllegalStateException(exited.call());
                    }
                }

                @Override
                public void close() {
                    Processes.stop(viewer);
                }
            };
        }

    }

    // ---- noVNC -------------------------------------------------------------------------------------------------------

    static final class NoVnc implements Client {
        private final Chromium chrome;
        private final String page;

        /** {@code page}: the URL of matrix.html next to noVNC's core/. */
        NoVnc(Chromium chrome, String page) {
            this.chrome = chrome;
            this.page = page;
        }

        @Override
        public String name() {
            return "noVNC 1.7";
        }

        @Override
        public Run connect(JsonNode session, Path dir, Callable<String> ended) throws Exception {
            String ws = session.path("websocketUrl").asText();
            String ticket = session.path("ticket").asText();
            if (!ws.contains("ticket=")) {
                ws = ws + (ws.contains("?") ? "&" : "?") + "ticket=" + URLEncoder.encode(ticket, StandardCharsets.UTF_8);
            }
            chrome.navigate(page + "?url=" + URLEncoder.encode(ws, StandardCharsets.UTF_8));
            await("noVNC connected").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
                String why = ended.call();
                if (why != null) {
                    throw new IllegalStateException("session ended: " + why);
                }
                String state;
                try {
                    state = chrome.evalString("JSON.stringify(window.cam)");
                } catch (IllegalStateException loading) {
                    return false; // the page is not there yet
                }
                if (state != null && (state.contains("securityfailure") || state.contains("clean="))) {
                    throw new IllegalStateException("noVNC: " + state);
                }
                return state != null && state.contains("\"connected\":true");
            });
            return new Run() {
                @Override
                public boolean interactive() {
                    return true;
                }

                @Override
                public void type(String text) throws Exception {
                    chrome.eval("rfb.focus()");
                    for (char c : text.toCharArray()) {
                        chrome.type(c);
                    }
                }

                @Override
                public void movePointer() throws Exception {
                    chrome.mouse("mouseMoved", 120, 110, "none", 0);
                    chrome.mouse("mouseMoved", 180, 150, "none", 0);
                }

                @Override
                public void setClipboard(String text) throws Exception {
                    chrome.eval("rfb.clipboardPasteFrom(" + SuiteStack.JSON.writeValueAsString(text) + ")");
                }

                @Override
                public String clipboard() throws Exception {
                    return chrome.evalString("window.cam.clipboard");
                }

                @Override
                public void close() throws Exception {
                    chrome.eval("rfb.disconnect()");
                    await("noVNC disconnected").atMost(Duration.ofSeconds(15))
                            .until(() -> chrome.evalString("window.cam.disconnected") != null);
                    chrome.navigate("about:blank");
                }
            };
        }
    }

    /** The last non-empty line of a log, or "". */
    static String lastLine(Path log) {
        try {
            List<String> lines = Files.readAllLines(log).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    static String firstLine(String s) {
        String l = s == null ? "" : s.strip().split("\n")[0];
        return l.length() > 200 ? l.substring(0, 200) + "..." : l;
    }
}
