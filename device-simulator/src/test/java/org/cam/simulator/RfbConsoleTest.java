package org.cam.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.awt.image.BufferedImage;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.cam.protocol.rfb.ClientMessage;
import org.cam.protocol.rfb.Encodings;
import org.cam.protocol.rfb.RfbVersion;
import org.cam.simulator.rfb.ChannelScreen;
import org.cam.testsupport.Packages;
import org.cam.testsupport.rfb.RfbTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** RFB consoles of a real simulated device on loopback: stock client, Java client, malformed input. */
class RfbConsoleTest {

    static final String HOST = TestNet.addr(1);
    static final int PORT = 15900;
    static Fleet fleet;

    @BeforeAll
    static void start() throws Exception {
        // The clock does not tick on its own here (tests call tick()), so screens change only when we act.
        fleet = new Fleet(SimulatorConfig.parse("--first-address", HOST, "--kvm-port", String.valueOf(PORT),
                "--https-port", "19443", "--channels", "3", "--tick-millis", "3600000", "--discovery", "manual",
                "--manager", TestNet.addr(250) + ":3080"));
        fleet.start(m -> { }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    private static int[] serverPixels(ChannelScreen s) {
        int[] px;
        synchronized (s) {
            px = s.pixels().clone();
        }
        // Java2D may leave alpha bits in an INT_RGB raster; only the colour goes on the wire.
        for (int i = 0; i < px.length; i++) {
            px[i] &= 0xffffff;
        }
        return px;
    }

    private static int differing(int[] a, int[] b) {
        assertThat(a.length).isEqualTo(b.length);
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                n++;
            }
        }
        return n;
    }

    /**
     * A stock client (vncsnapshot, RealVNC 3.3.7 lineage) decodes each of our encodings: by default it asks for
     * CopyRect, ZRLE, Hextile, ... and gets ZRLE; with -encodings it gets Hextile or Raw. The saved JPEG must be
     * 1024x768 and, up to JPEG loss, the pixels the device shows.
     */
    @Test
    void vncsnapshotSavesTheTestScreenInEveryEncoding() throws Exception {
        Packages.ensure("vncsnapshot=vncsnapshot");
        Path dir = Files.createTempDirectory("cam-sim");
        // A viewer of our own keeps the screen allocated (and so unchanged) while vncsnapshot comes and goes.
        try (RfbTestClient holder = RfbTestClient.tcp(HOST, PORT + 1).open(null, true)) {
            for (String encodings : new String[] {null, "hextile", "raw"}) {
                Path out = dir.resolve((encodings == null ? "default" : encodings) + ".jpg");
                java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of("vncsnapshot", "-quiet"));
                if (encodings != null) {
                    cmd.addAll(java.util.List.of("-encodings", encodings));
                }
                cmd.addAll(java.util.List.of(HOST + "::" + (PORT + 1), out.toString()));
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
                String log = new String(p.getInputStream().readAllBytes());
                assertThat(p.exitValue()).as(log).isZero();
                BufferedImage img = ImageIO.read(out.toFile());
                assertThat(img.getWidth()).isEqualTo(1024);
                assertThat(img.getHeight()).isEqualTo(768);
                int[] server = serverPixels(fleet.screen(0, 2));
                long diff = 0;
                for (int y = 0; y < 768; y++) {
                    for (int x = 0; x < 1024; x++) {
                        int a = img.getRGB(x, y);
                        int b = server[y * 1024 + x];
                        diff += Math.abs(((a >> 16) & 0xff) - ((b >> 16) & 0xff)) + Math.abs(((a >> 8) & 0xff)
                                - ((b >> 8) & 0xff)) + Math.abs((a & 0xff) - (b & 0xff));
                    }
                }
                double mean = diff / (1024.0 * 768 * 3);
                int far = 0;
                for (int y = 0; y < 768; y++) {
                    for (int x = 0; x < 1024; x++) {
                        int a = img.getRGB(x, y);
                        int b = server[y * 1024 + x];
                        if (Math.abs(((a >> 16) & 0xff) - ((b >> 16) & 0xff)) > 96
                                || Math.abs(((a >> 8) & 0xff) - ((b >> 8) & 0xff)) > 96
                                || Math.abs((a & 0xff) - (b & 0xff)) > 96) {
                            far++;
                        }
                    }
                }
                // vncsnapshot saves at JPEG quality 100: measured mean difference 0.003, no pixel far off.
                assertThat(mean).as("mean colour difference with " + encodings).isLessThan(0.5);
                assertThat(far).as("pixels far off with " + encodings).isZero();
            }
        } finally {
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    /**
     * A stock client's VNC Authentication against ours: vncsnapshot reads the password from a vncpasswd file,
     * which is the password DES-encrypted under VNC's fixed key (in VNC's bit-reversed key order).
     */
    @Test
    void vncsnapshotAuthenticatesWithTheChannelCredential() throws Exception {
        assertThat(new ProcessBuilder("bash", "../scripts/ensure-packages.sh", "vncsnapshot=vncsnapshot").inheritIO()
                .start().waitFor()).isZero();
        byte[] fixed = {23, 82, 107, 6, 35, 78, 88, 7};
        byte[] key = new byte[8];
        for (int i = 0; i < 8; i++) {
            key[i] = (byte) (Integer.reverse(fixed[i] & 0xff) >>> 24);
        }
        javax.crypto.Cipher des = javax.crypto.Cipher.getInstance("DES/ECB/NoPadding");
        des.init(javax.crypto.Cipher.ENCRYPT_MODE, new javax.crypto.spec.SecretKeySpec(key, "DES"));
        byte[] plain = java.util.Arrays.copyOf("kvm-pass".getBytes(), 8);
        Path dir = Files.createTempDirectory("cam-sim");
        Path passwd = Files.write(dir.resolve("passwd"), des.doFinal(plain));
        Path out = dir.resolve("ch3.jpg");
        fleet.members().get(0).device().channel(3).password("kvm-pass");
        try {
            Process p = new ProcessBuilder("vncsnapshot", "-quiet", "-passwd", passwd.toString(), HOST + "::" + (PORT + 2),
                    out.toString()).redirectErrorStream(true).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            String log = new String(p.getInputStream().readAllBytes());
            assertThat(p.exitValue()).as(log).isZero();
            assertThat(ImageIO.read(out.toFile()).getWidth()).isEqualTo(1024);

            // And the wrong password is refused.
            Files.write(passwd, des.doFinal(java.util.Arrays.copyOf("nope".getBytes(), 8)));
            Process bad = new ProcessBuilder("vncsnapshot", "-quiet", "-passwd", passwd.toString(),
                    HOST + "::" + (PORT + 2), dir.resolve("bad.jpg").toString()).redirectErrorStream(true).start();
            assertThat(bad.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(bad.exitValue()).isNotZero();
            assertThat(dir.resolve("bad.jpg")).doesNotExist();
        } finally {
            fleet.members().get(0).device().channel(3).password(null);
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void keysTypedShowUpInIncrementalZrleUpdatesThatMatchTheServer() throws Exception {
        ChannelScreen screen = fleet.screen(0, 1);
        try (RfbTestClient c = RfbTestClient.tcp(HOST, PORT).open(null, true)) {
            assertThat(c.serverInit().width()).isEqualTo(1024);
            assertThat(c.serverInit().height()).isEqualTo(768);
            c.setEncodings(Encodings.ZRLE, Encodings.COPY_RECT, Encodings.RAW);
            c.request(false);
            c.readUpdate();
            assertThat(c.lastEncodings()).containsOnly(Encodings.ZRLE);
            int[] before = c.framebuffer().clone();
            for (char ch : "cam!".toCharArray()) {
                c.send(new ClientMessage.KeyEvent(true, ch));
                c.send(new ClientMessage.KeyEvent(false, ch));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> screen.typedKeys().endsWith("cam!"));
            c.request(true);
            int rects = c.readUpdate();
            assertThat(rects).isPositive();
            assertThat(c.framebuffer()).isNotEqualTo(before);
            // The "keys" line is at y 240..265: the pixels there changed.
            int changed = 0;
            for (int y = 240; y < 266; y++) {
                for (int x = 100; x < 300; x++) {
                    if (c.framebuffer()[y * 1024 + x] != before[y * 1024 + x]) {
                        changed++;
                    }
                }
            }
            assertThat(changed).isPositive();
            // What the client holds equals what the server shows (retry if the clock line moved meanwhile).
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                c.request(false);
                c.readUpdate();
                assertThat(differing(c.framebuffer(), serverPixels(screen))).isZero();
            });
        }
    }

    @Test
    void hextileUpdatesMatchTheServer() throws Exception {
        ChannelScreen screen = fleet.screen(0, 2);
        try (RfbTestClient c = RfbTestClient.tcp(HOST, PORT + 1).open(null, true)) {
            c.setEncodings(Encodings.HEXTILE, Encodings.RAW);
            c.send(new ClientMessage.PointerEvent(0, 300, 420));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                c.request(false);
                c.readUpdate();
                assertThat(c.lastEncodings()).containsOnly(Encodings.HEXTILE);
                assertThat(differing(c.framebuffer(), serverPixels(screen))).isZero();
            });
        }
    }

    /** Tight (no JPEG): fill, palette and copy rectangles, later ones on the same zlib streams, all exact. */
    @Test
    void tightUpdatesMatchTheServer() throws Exception {
        ChannelScreen screen = fleet.screen(0, 2);
        try (RfbTestClient c = RfbTestClient.tcp(HOST, PORT + 1).open(null, true)) {
            c.setEncodings(Encodings.TIGHT, Encodings.HEXTILE, Encodings.RAW);
            c.request(false);
            c.readUpdate();
            assertThat(c.lastEncodings()).containsOnly(Encodings.TIGHT);
            c.send(new ClientMessage.PointerEvent(1, 333, 444));
            c.typeKey('t');
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                c.request(true);
                c.readUpdate();
                assertThat(differing(c.framebuffer(), serverPixels(screen))).isZero();
            });
        }
    }

    /**
     * A viewer that names the extensions in SetEncodings gets them as from QEMU or TigerVNC: extended clipboard
     * caps, a fence request (answered by the client), EndOfContinuousUpdates, ExtendedDesktopSize and the QEMU
     * extended key event pseudo-rectangle; then QEMU key events type, fences are answered, SetDesktopSize is
     * refused as prohibited, and continuous updates arrive without requests until switched off.
     */
    @Test
    void extensionsAreOfferedAndAnsweredAsRealServersDo() throws Exception {
        ChannelScreen screen = fleet.screen(0, 1);
        try (RfbTestClient c = RfbTestClient.tcp(HOST, PORT).open(null, true)) {
            c.setEncodings(Encodings.ZRLE, Encodings.RAW, Encodings.EXTENDED_DESKTOP_SIZE,
                    Encodings.QEMU_EXTENDED_KEY_EVENT, Encodings.FENCE, Encodings.CONTINUOUS_UPDATES,
                    Encodings.EXTENDED_CLIPBOARD);
            c.request(false);
            c.readUpdate();
            assertThat(c.lastEncodings()).startsWith(Encodings.EXTENDED_DESKTOP_SIZE,
                    Encodings.QEMU_EXTENDED_KEY_EVENT).contains(Encodings.ZRLE);
            assertThat(c.events()).contains("fence 80000007", "end-of-continuous-updates",
                    "extended-desktop-size 1024x768 reason 0 status 0", "qemu-extended-key-event")
                    .anySatisfy(e -> assertThat(e).startsWith("clipboard-caps 1f000001"));

            c.qemuKey(true, 'g', 0x22);
            c.qemuKey(false, 'g', 0x22);
            c.fence(0x80000001, new byte[] {7, 7});
            c.setDesktopSize(800, 600);
            c.request(false);
            c.readUpdate();
            c.readUpdate();
            assertThat(screen.typedKeys()).endsWith("g");
            assertThat(c.events()).contains("fence 1", "extended-desktop-size 1024x768 reason 1 status 1");
            assertThat(c.width()).isEqualTo(1024);

            c.continuousUpdates(true);
            c.send(new ClientMessage.PointerEvent(1, 600, 500));
            // No requests from here: updates are pushed because the screen changed, until it matches.
            int pushed = 0;
            do {
                c.readUpdate();
                pushed++;
            } while (differing(c.framebuffer(), serverPixels(screen)) != 0 && pushed < 10);
            assertThat(differing(c.framebuffer(), serverPixels(screen))).isZero();
            c.continuousUpdates(false);
            c.request(false);
            c.readUpdate();
            assertThat(c.events().stream().filter("end-of-continuous-updates"::equals)).hasSize(2);
        }
    }

    /**
     * The clipboard as on a desktop: text one viewer sets (extended clipboard: notify, request, zlib provide) reaches
     * the other viewers, as an extended-clipboard notify and provide or as a classic ServerCutText.
     */
    @Test
    void clipboardTravelsBetweenViewersInBothDialects() throws Exception {
        try (RfbTestClient extended = RfbTestClient.tcp(HOST, PORT + 2).open(null, true);
             RfbTestClient classic = RfbTestClient.tcp(HOST, PORT + 2).open(null, true);
             RfbTestClient other = RfbTestClient.tcp(HOST, PORT + 2).open(null, true)) {
            for (RfbTestClient c : List.of(extended, other)) {
                c.setEncodings(Encodings.RAW, Encodings.EXTENDED_CLIPBOARD);
            }
            extended.request(false);
            extended.readUpdate(); // caps exchanged before this update
            other.request(false);
            other.readUpdate();
            extended.notifyClipboard("from the extended viewer");
            extended.request(false);
            extended.readUpdate(); // the server's request came first and was answered with our provide
            // Notify, the server's request, our provide: then the others hear of it (on their own event loops).
            awaitClipboard(classic, "from the extended viewer");
            awaitClipboard(other, "from the extended viewer");
            assertThat(extended.events()).anySatisfy(e -> assertThat(e).startsWith("clipboard-request"));
            assertThat(other.events()).anySatisfy(e -> assertThat(e).startsWith("clipboard-notify"))
                    .anySatisfy(e -> assertThat(e).startsWith("clipboard-provide"));

            classic.cutText("classic text");
            awaitClipboard(other, "classic text");
            awaitClipboard(extended, "classic text");
        }
    }

    private static void awaitClipboard(RfbTestClient c, String text) {
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            c.request(false);
            c.readUpdate();
            assertThat(c.serverCutText()).isEqualTo(text);
        });
    }

    /** Extended messages out of their bounds close the connection, like any malformed input. */
    @Test
    void malformedExtendedMessagesCloseTheConnection() throws Exception {
        for (byte[] bad : List.of(
                new byte[] {6, 0, 0, 0, (byte) 0x80, 0, 0, 0}, // extended clipboard of -2^31 bytes
                new byte[] {(byte) 248, 0, 0, 0, 0, 0, 0, 0, 65}, // fence payload over 64 bytes
                new byte[] {(byte) 255, 9, 0, 0})) { // unknown QEMU sub-message
            try (RfbTestClient c = RfbTestClient.tcp(HOST, PORT).open(null, true)) {
                c.sendRaw(bad);
                assertThat(c.closedByServer()).as(java.util.Arrays.toString(bad)).isTrue();
            }
        }
    }

    @Test
    void scrollingBandArrivesAsCopyRectAndRawClientsStayExact() throws Exception {
        ChannelScreen screen = fleet.screen(0, 3);
        try (RfbTestClient c = RfbTestClient.tcp(HOST, PORT + 2).open(null, true)) {
            c.setEncodings(Encodings.COPY_RECT, Encodings.RAW);
            c.request(false);
            c.readUpdate();
            c.request(true);
            screen.tick();
            c.readUpdate();
            assertThat(c.lastEncodings()).contains(Encodings.COPY_RECT);
            assertThat(c.lastEncodings()).doesNotContain(Encodings.ZRLE);
            int band = screen.bandY() * 1024;
            int[] server = serverPixels(screen);
            assertThat(differing(java.util.Arrays.copyOfRange(c.framebuffer(), band, c.framebuffer().length),
                    java.util.Arrays.copyOfRange(server, band, server.length))).isZero();
        }
    }

    @Test
    void olderProtocolVersionsAreSpokenToInTheirOwnVersion() throws Exception {
        for (String version : new String[] {"RFB 003.003\n", "RFB 003.007\n"}) {
            try (Socket s = new Socket(HOST, PORT)) {
                s.setSoTimeout(10_000);
                java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
                OutputStream o = s.getOutputStream();
                in.readFully(new byte[12]);
                o.write(version.getBytes());
                if (version.endsWith("3\n")) {
                    assertThat(in.readInt()).as("3.3: server-chosen type None").isEqualTo(1);
                } else {
                    assertThat(in.readUnsignedByte()).isEqualTo(1);
                    assertThat(in.readUnsignedByte()).isEqualTo(1);
                    o.write(1); // None; 3.7 sends no SecurityResult for None
                }
                o.write(1);
                assertThat(in.readUnsignedShort()).isEqualTo(1024);
                assertThat(in.readUnsignedShort()).isEqualTo(768);
                assertThat(in.readUnsignedByte()).isEqualTo(32);
            }
        }
    }

    @Test
    void vncAuthenticationUsesTheChannelCredential() throws Exception {
        fleet.members().get(0).device().channel(2).password("s3cret!!");
        try {
            try (RfbTestClient c = RfbTestClient.tcp(HOST, PORT + 1)) {
                assertThatThrownBy(() -> c.open("wrong", true)).isInstanceOf(SecurityException.class);
            }
            try (RfbTestClient c = RfbTestClient.tcp(HOST, PORT + 1).open("s3cret!!", true)) {
                c.setEncodings(Encodings.RAW);
                c.request(false);
                c.readUpdate();
                assertThat(c.lastEncodings()).containsOnly(Encodings.RAW);
            }
        } finally {
            fleet.members().get(0).device().channel(2).password(null);
        }
    }

    @Test
    void malformedInputClosesOnlyThatConnection() throws Exception {
        ChannelScreen screen = fleet.screen(0, 1);
        try (RfbTestClient good = RfbTestClient.tcp(HOST, PORT).open(null, true);
             RfbTestClient bad = RfbTestClient.tcp(HOST, PORT).open(null, true);
             Socket junk = new Socket(HOST, PORT)) {
            good.setEncodings(Encodings.RAW);
            good.request(false);
            good.readUpdate();
            // Unknown message type after the handshake.
            bad.sendRaw(new byte[] {(byte) 0xC8, 1, 2, 3});
            assertThat(bad.closedByServer()).isTrue();
            // Not RFB at all.
            OutputStream o = junk.getOutputStream();
            o.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes());
            o.flush();
            junk.setSoTimeout(10_000);
            byte[] v = junk.getInputStream().readNBytes(12);
            assertThat(RfbVersion.decode(v, 0, 12)).isEqualTo(RfbVersion.V3_8);
            assertThat(junk.getInputStream().read()).isEqualTo(-1);
            // The good viewer is still served.
            int[] before = good.framebuffer().clone();
            good.send(new ClientMessage.PointerEvent(1, 500, 500));
            good.request(true);
            good.readUpdate();
            assertThat(good.framebuffer()).isNotEqualTo(before);
            await().atMost(Duration.ofSeconds(5)).until(() -> fleet.members().get(0).device().channel(1).sessions() == 1);
        }
    }

    @Test
    void exclusiveViewerDisconnectsSharedOnes() throws Exception {
        try (RfbTestClient first = RfbTestClient.tcp(HOST, PORT + 2).open(null, true);
             RfbTestClient second = RfbTestClient.tcp(HOST, PORT + 2).open(null, true)) {
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> fleet.members().get(0).device().channel(3).sessions() == 2);
            try (RfbTestClient exclusive = RfbTestClient.tcp(HOST, PORT + 2).open(null, false)) {
                assertThat(first.closedByServer()).isTrue();
                assertThat(second.closedByServer()).isTrue();
                exclusive.setEncodings(Encodings.RAW);
                exclusive.request(false);
                assertThat(exclusive.readUpdate()).isPositive();
            }
        }
    }
}
