package org.cam.systemtests;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.cam.protocol.rfb.Encodings;
import org.cam.testsupport.Processes;
import org.cam.testsupport.rfb.RfbTestClient;
import org.cam.testsupport.rfb.VncPasswordFile;
import org.cam.testsupport.tls.TestCertificate;
import org.cam.testsupport.x11.XDisplay;

/**
 * The RFB servers of the interop matrix, each started once: the simulated device of the stack, QEMU ({@code -vnc}
 * with None, a password, VeNCrypt x509 with a password: three VNC servers of one VM) and TigerVNC's Xvnc (None,
 * VncAuth, VeNCrypt X509Vnc: three X servers). Each says whether keys arrived and what its clipboard holds, from
 * inside the server: an X client recording key presses on Xvnc's display, QEMU's own trace of its input layer and
 * PS/2 keyboard, the device's "keys:" line seen by a viewer at the device itself.
 */
final class InteropServers {

    private InteropServers() {
    }

    /** One RFB endpoint that becomes a target. */
    abstract static class Server implements AutoCloseable {
        final String name;
        final String security;
        final String host;
        final int port;
        /** The server's VNC password, or null. */
        final String password;
        /** The CA of its certificate (VeNCrypt x509), or null. */
        final TestCertificate ca;
        final TestCertificate certificate;
        long targetId;

        Server(String name, String security, String host, int port, String password, TestCertificate ca,
               TestCertificate certificate) {
            this.name = name;
            this.security = security;
            this.host = host;
            this.port = port;
            this.password = password;
            this.ca = ca;
            this.certificate = certificate;
        }

        String label() {
            return name + " (" + security + ")";
        }

        /** Where key presses stand now. */
        abstract int keyMark() throws Exception;

        /** Whether the keys c, a, m were pressed at the server since the mark. */
        abstract boolean keysSince(int mark) throws Exception;

        /** Returns once every input the server received so far has been handled (a marker of our own went through). */
        abstract void sync() throws Exception;

        /** Whether the server has a clipboard to check (QEMU has none without a guest agent). */
        abstract boolean hasClipboard();

        /** Someone at the target copies text. */
        void setClipboard(String text) throws Exception {
            throw new UnsupportedOperationException(name + " has no clipboard");
        }

        /** The target's clipboard text now. */
        String clipboard() throws Exception {
            throw new UnsupportedOperationException(name + " has no clipboard");
        }

        /** What the server offers a client that asks for everything (this test's own client, directly). */
        String probe() {
            try (RfbTestClient c = RfbTestClient.tcp(host, port)) {
                if (ca != null) {
                    c.vencrypt(ca.trustingContext(), null);
                }
                boolean ok = c.handshake(password);
                StringBuilder s = new StringBuilder(c.serverVersion() + ", security types " + c.offeredSecurityTypes());
                if (!ok) {
                    return s.append(", refused: ").append(c.failureReason).toString();
                }
                c.setEncodings(Encodings.ZRLE, Encodings.HEXTILE, Encodings.RAW, Encodings.EXTENDED_DESKTOP_SIZE,
                        Encodings.QEMU_EXTENDED_KEY_EVENT, Encodings.FENCE, Encodings.CONTINUOUS_UPDATES,
                        Encodings.EXTENDED_CLIPBOARD, Encodings.DESKTOP_SIZE, Encodings.LAST_RECT);
                c.request(false);
                // Until the first rectangle of pixels: QEMU answers SetEncodings with an update of pseudo-rectangles
                // alone, and QEMU and Xvnc answer every non-incremental request of an ExtendedDesktopSize client with
                // its screen layout alone; the pixels come for an incremental request (all of the screen is new).
                java.util.Set<String> encodings = new java.util.LinkedHashSet<>();
                boolean pixels = false;
                for (int i = 0; i < 4 && !pixels; i++) {
                    if (i > 0) {
                        c.request(true);
                    }
                    c.readUpdate();
                    for (int e : c.lastEncodings()) {
                        encodings.add(Encodings.name(e));
                        pixels |= e >= 0;
                    }
                }
                c.request(true);
                c.send(new org.cam.protocol.rfb.ClientMessage.FramebufferUpdateRequest(false, 0, 0, 1, 1));
                c.readUpdate();
                return s.append(", ").append(c.width()).append('x').append(c.height()).append(" \"")
                        .append(c.serverInit().name()).append("\", updates up to the first pixels ").append(encodings)
                        .append(", other messages ").append(c.events()).toString();
            } catch (Exception e) {
                return "probe failed: " + e;
            }
        }
    }

    // ---- TigerVNC Xvnc ---------------------------------------------------------------------------------------------

    static final class Xvnc extends Server {
        private final XDisplay display;
        private final Path keyLog;

        private Xvnc(String security, String host, int port, String password, TestCertificate ca,
                     TestCertificate certificate, XDisplay display, Path keyLog) {
            super("Xvnc", security, host, port, password, ca, certificate);
            this.display = display;
            this.keyLog = keyLog;
        }

        /** Xvnc on {@code :number}; security None, VncAuth or X509Vnc; an xev recording key presses on its root. */
        static Xvnc start(int number, String host, int port, String security, String password, Path dir)
                throws Exception {
            Path d = Files.createDirectories(dir.resolve("xvnc-" + number));
            List<String> cmd = new ArrayList<>(List.of("Xvnc", ":" + number, "-rfbport", String.valueOf(port),
                    "-interface", host, "-geometry", "1024x768", "-depth", "24", "-nolisten", "tcp",
                    // TigerVNC's default blacklist stays on: management-api's target probe authenticates like the
                    // broker, so neither is ever refused here (docs/api.md, target status).
                    "-AlwaysShared", "-desktop", "xvnc-" + security.toLowerCase()));
            TestCertificate ca = null;
            TestCertificate cert = null;
            switch (security) {
                case "None" -> cmd.addAll(List.of("-SecurityTypes", "None"));
                case "VncAuth" -> cmd.addAll(List.of("-SecurityTypes", "VncAuth", "-rfbauth",
                        VncPasswordFile.write(d.resolve("passwd"), password).toString()));
                case "VeNCrypt" -> {
                    ca = TestCertificate.authority("cam interop CA " + number);
                    cert = ca.issue("localhost", host);
                    Path crt = Files.writeString(d.resolve("cert.pem"), cert.pem());
                    Path key = Files.writeString(d.resolve("key.pem"), cert.keyPem());
                    cmd.addAll(List.of("-SecurityTypes", "X509Vnc", "-X509Cert", crt.toString(), "-X509Key",
                            key.toString(), "-rfbauth", VncPasswordFile.write(d.resolve("passwd"), password).toString()));
                }
                default -> throw new IllegalArgumentException(security);
            }
            XDisplay x = XDisplay.start(number, d, cmd);
            Path keys = d.resolve("xev.log");
            x.client("xev.log", "xev", "-root", "-event", "keyboard");
            Xvnc s = new Xvnc(security, host, port, password, ca, cert, x, keys);
            try {
                s.sync(); // xev is listening once our own marker shows up in its log
            } catch (RuntimeException | Error e) {
                x.close();
                throw e;
            }
            return s;
        }

        private List<String> keyPresses() throws IOException {
            List<String> out = new ArrayList<>();
            if (!Files.exists(keyLog)) {
                return out;
            }
            Matcher m = Pattern.compile("KeyPress event[^\\n]*\\n[^\\n]*\\n[^\\n]*keysym 0x[0-9a-f]+, ([^)]+)\\)")
                    .matcher(Files.readString(keyLog, StandardCharsets.UTF_8));
            while (m.find()) {
                out.add(m.group(1));
            }
            return out;
        }

        @Override
        int keyMark() throws Exception {
            return keyPresses().size();
        }

        @Override
        boolean keysSince(int mark) throws Exception {
            List<String> keys = keyPresses();
            List<String> since = keys.subList(Math.min(mark, keys.size()), keys.size());
            return since.contains("c") && since.contains("a") && since.contains("m");
        }

        @Override
        void sync() throws Exception {
            int before = (int) keyPresses().stream().filter("F12"::equals).count();
            // Again at each poll: right after start-up xev may not have selected its events yet.
            await("xev saw our marker on " + display.name()).atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(500)).until(() -> {
                        display.key("F12");
                        return keyPresses().stream().filter("F12"::equals).count() > before;
                    });
        }

        @Override
        boolean hasClipboard() {
            return true;
        }

        @Override
        void setClipboard(String text) throws Exception {
            display.setClipboard(text);
        }

        @Override
        String clipboard() {
            return display.clipboard();
        }

        @Override
        public void close() {
            display.close();
        }
    }

    // ---- QEMU ----------------------------------------------------------------------------------------------------

    /** One VM with three VNC servers; its input layer's trace (stderr) says which keys reached its PS/2 keyboard. */
    static final class Qemu implements AutoCloseable {
        final Process process;
        final Path trace;
        final List<QemuVnc> servers = new ArrayList<>();
        private final String host;
        private final int nonePort;

        private Qemu(Process process, Path trace, String host, int nonePort) {
            this.process = process;
            this.trace = trace;
            this.host = host;
            this.nonePort = nonePort;
        }

        /** Ports: None, password, VeNCrypt x509 + password. */
        static Qemu start(String host, int firstPort, String password, Path dir) throws Exception {
            Path d = Files.createDirectories(dir.resolve("qemu"));
            TestCertificate ca = TestCertificate.authority("cam interop QEMU CA");
            TestCertificate cert = ca.issue("localhost", host);
            Path tls = Files.createDirectories(d.resolve("tls"));
            Files.writeString(tls.resolve("ca-cert.pem"), ca.pem());
            Files.writeString(tls.resolve("server-cert.pem"), cert.pem());
            Files.writeString(tls.resolve("server-key.pem"), cert.keyPem());
            Path trace = d.resolve("qemu.log");
            int display = firstPort - 5900;
            // No disk: SeaBIOS finds nothing to boot and waits; the VM must run (not -S) for input to be handled.
            List<String> cmd = List.of("qemu-system-x86_64", "-machine", "pc", "-accel", "tcg", "-m", "32",
                    "-nodefaults", "-vga", "std", "-display", "none", "-no-user-config",
                    "-object", "secret,id=vncpw,data=" + password,
                    "-object", "tls-creds-x509,id=tls0,dir=" + tls + ",endpoint=server,verify-peer=off",
                    "-vnc", host + ":" + display + ",id=none",
                    "-vnc", host + ":" + (display + 1) + ",id=pw,password-secret=vncpw",
                    "-vnc", host + ":" + (display + 2) + ",id=x509,tls-creds=tls0,password-secret=vncpw",
                    "-trace", "input_event_key_qcode", "-trace", "ps2_put_keycode");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(trace.toFile()).start();
            Qemu q = new Qemu(p, trace, host, firstPort);
            q.servers.add(new QemuVnc(q, "None", firstPort, null, null, null));
            q.servers.add(new QemuVnc(q, "VncAuth", firstPort + 1, password, null, null));
            q.servers.add(new QemuVnc(q, "VeNCrypt", firstPort + 2, password, ca, cert));
            await("QEMU's VNC servers listening").atMost(Duration.ofSeconds(60)).until(() -> {
                if (!p.isAlive()) {
                    throw new IllegalStateException("qemu exited: " + Files.readString(trace));
                }
                for (QemuVnc s : q.servers) {
                    try (java.net.Socket probe = new java.net.Socket(host, s.port)) {
                        probe.setSoLinger(true, 0);
                    } catch (IOException notYet) {
                        return false;
                    }
                }
                return true;
            });
            return q;
        }

        List<String> keyDowns() throws IOException {
            List<String> out = new ArrayList<>();
            Matcher m = Pattern.compile("input_event_key_qcode con -?\\d+, key qcode (\\S+), down 1")
                    .matcher(Files.readString(trace, StandardCharsets.UTF_8));
            while (m.find()) {
                out.add(m.group(1));
            }
            return out;
        }

        /** A marker key through the None server: QEMU handles input in order, so earlier keys are in the trace. */
        void sync() throws Exception {
            long before = keyDowns().stream().filter("f12"::equals).count();
            try (RfbTestClient c = RfbTestClient.tcp(host, nonePort)) {
                c.open(null, true);
                c.typeKey(0xffc9); // F12
                await("QEMU traced our marker").atMost(Duration.ofSeconds(20))
                        .until(() -> keyDowns().stream().filter("f12"::equals).count() > before);
            }
        }

        @Override
        public void close() {
            Processes.stop(process);
        }
    }

    static final class QemuVnc extends Server {
        private final Qemu qemu;

        QemuVnc(Qemu qemu, String security, int port, String password, TestCertificate ca, TestCertificate cert) {
            super("QEMU", security, qemu.host, port, password, ca, cert);
            this.qemu = qemu;
        }

        @Override
        int keyMark() throws Exception {
            return qemu.keyDowns().size();
        }

        @Override
        boolean keysSince(int mark) throws Exception {
            List<String> keys = qemu.keyDowns();
            List<String> since = keys.subList(Math.min(mark, keys.size()), keys.size());
            return since.contains("c") && since.contains("a") && since.contains("m");
        }

        @Override
        void sync() throws Exception {
            qemu.sync();
        }

        @Override
        boolean hasClipboard() {
            return false;
        }

        @Override
        public void close() {
            // the VM is closed by its Qemu
        }
    }

    // ---- the simulated device --------------------------------------------------------------------------------------

    /**
     * Channel 1 of the stack's device. A viewer at the device itself (its channel credential from the device's own
     * state, as an admin at the appliance would use) watches the "keys:" line and shares the device's clipboard.
     */
    static final class Simulator extends Server {
        private final RfbTestClient console;

        private Simulator(String host, int port, String password, RfbTestClient console) {
            super("device-simulator", "VncAuth (enrolled channel credential)", host, port, password, null, null);
            this.console = console;
        }

        /**
         * CAM turns a device's own channel passwords off at enrolment (only per-session credentials open a channel
         * then). The matrix compares clients at the device itself with clients through the broker, so here the
         * appliance's local admin turns them back on over the device API, as such an admin could.
         */
        static Simulator attach(String host, int port, int httpsPort, Path stateDir, java.net.http.HttpClient http)
                throws Exception {
            Path state;
            try (Stream<Path> files = Files.walk(stateDir)) {
                state = files.filter(f -> f.getFileName().toString().equals("state.properties")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("no device state under " + stateDir));
            }
            Properties p = new Properties();
            try (var in = Files.newInputStream(state)) {
                p.load(in);
            }
            String password = p.getProperty("channel.1.password");
            java.net.URI config = java.net.URI.create("https://" + host + ":" + httpsPort + "/api/v1/config");
            String bearer = "Bearer " + p.getProperty("deviceSecret");
            java.net.http.HttpResponse<String> put = http.send(java.net.http.HttpRequest.newBuilder(config)
                    .header("Authorization", bearer).header("Content-Type", "application/json")
                    .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"sessionCredentialsOnly\":false}"))
                    .build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            if (put.statusCode() / 100 != 2) {
                throw new IllegalStateException("the device refused the local admin's change: " + put.statusCode()
                        + " " + put.body());
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() -> http.send(
                    java.net.http.HttpRequest.newBuilder(config).header("Authorization", bearer).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body()
                    .replace(" ", "").contains("\"sessionCredentialsOnly\":false"));
            RfbTestClient console = RfbTestClient.tcp(host, port).open(password, true);
            console.setEncodings(Encodings.RAW, Encodings.EXTENDED_CLIPBOARD);
            console.refresh();
            return new Simulator(host, port, password, console);
        }

        @Override
        String probe() {
            // A second direct viewer, like the console, asking for everything.
            return super.probe();
        }

        @Override
        int keyMark() throws Exception {
            return keysLineInkEnd(console.refresh(), console.width());
        }

        @Override
        boolean keysSince(int mark) throws Exception {
            // Three more characters on the device's "keys:" line.
            return keysLineInkEnd(console.refresh(), console.width()) > mark + 10;
        }

        @Override
        void sync() {
            // The broker's connection to the device has closed: the device handled everything it sent before that.
        }

        @Override
        boolean hasClipboard() {
            return true;
        }

        @Override
        void setClipboard(String text) throws Exception {
            console.notifyClipboard(text);
            console.refresh(); // answers the device's request for the text
            console.refresh();
        }

        @Override
        String clipboard() throws Exception {
            console.refresh();
            return console.serverCutText();
        }

        @Override
        public void close() {
            console.close();
        }

        /** Rightmost column with the keys line's colour (0x06d6a0) in rows 236..268, or -1. */
        static int keysLineInkEnd(int[] fb, int width) {
            int end = -1;
            for (int y = 236; y <= 268; y++) {
                for (int x = 0; x < width; x++) {
                    int px = fb[y * width + x];
                    if (Math.abs((px >> 16 & 0xff) - 0x06) < 24 && Math.abs((px >> 8 & 0xff) - 0xd6) < 24
                            && Math.abs((px & 0xff) - 0xa0) < 24 && x > end) {
                        end = x;
                    }
                }
            }
            return end;
        }
    }
}
