package org.cam.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.cam.broker.listener.Listeners;
import org.cam.broker.support.BrokerTestResource;
import org.cam.broker.support.ManagementDouble;
import org.cam.broker.support.RealServers;
import org.cam.testsupport.rfb.RfbTestClient;
import org.cam.testsupport.rfb.VncPasswordFile;
import org.cam.protocol.rfb.ClientMessage;
import org.cam.protocol.rfb.Encodings;
import org.cam.protocol.rfb.PixelFormat;
import org.junit.jupiter.api.Test;

/**
 * The broker between a client and third-party RFB servers: TigerVNC's Xvnc and QEMU, with None, VNC Authentication
 * and VeNCrypt X509 (pinned fingerprint and CA) upstream. The client asks for what real viewers ask for (Tight,
 * ZRLE, Hextile, fence, continuous updates, extended clipboard, QEMU keys...), so the relay has to frame what these
 * servers really send; every message the client receives is framed again on its side.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestResource.class)
class RealServersTest {

    private static final String XVNC_HOST = "127.0.82.2";
    private static final String QEMU_HOST = "127.0.82.3";
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final List<Integer> VIEWER_ENCODINGS = List.of(Encodings.TIGHT, Encodings.ZRLE, Encodings.HEXTILE,
            Encodings.COPY_RECT, Encodings.RAW, -26, -254, Encodings.CURSOR_WITH_ALPHA, Encodings.CURSOR,
            Encodings.DESKTOP_SIZE, Encodings.EXTENDED_DESKTOP_SIZE, Encodings.DESKTOP_NAME, Encodings.LAST_RECT,
            Encodings.FENCE, Encodings.CONTINUOUS_UPDATES, Encodings.EXTENDED_CLIPBOARD,
            Encodings.QEMU_EXTENDED_KEY_EVENT, Encodings.QEMU_POINTER_MOTION_CHANGE, Encodings.QEMU_LED_STATE,
            Encodings.XVP, Encodings.EXTENDED_MOUSE_BUTTONS);

    /** Pixel formats viewers ask for: 32-bit (Tight's 3-byte pixels), 16-bit 565 and 8-bit 332. */
    private static final List<PixelFormat> FORMATS = List.of(PixelFormat.RGB888,
            new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0),
            new PixelFormat(8, 8, false, true, 7, 7, 3, 0, 3, 6));

    /** An update longer than this carries pixels (pseudo-rectangle updates are a few dozen bytes). */
    private static final int PIXELS = 200;

    @Inject
    Listeners listeners;

    private ManagementDouble.Session pending(String host, int port, String password) {
        String otp = "real" + String.format("%04d", IDS.incrementAndGet());
        return BrokerTestResource.management.add("real-" + otp + "-" + System.nanoTime(), otp, "CONTROL", host, port,
                password, 0);
    }

    private Set<String> session(ManagementDouble.Session s) throws Exception {
        return session(s, Encodings.TIGHT, null);
    }

    /**
     * Opens a session, reads updates with {@code first} as the preferred encoding (and the rest of the viewer's
     * list), in {@code pf} when given, types, and closes; returns the messages seen.
     */
    private Set<String> session(ManagementDouble.Session s, int first, PixelFormat pf) throws Exception {
        Set<String> seen = new LinkedHashSet<>();
        try (RfbTestClient c = RfbTestClient.tcp("127.0.0.1", listeners.plainPort())) {
            assertThat(c.handshake(s.oneTimePassword)).as("handshake").isTrue();
            if (pf != null) {
                c.pixelFormat(pf);
            }
            List<Integer> encodings = new java.util.ArrayList<>(VIEWER_ENCODINGS);
            encodings.remove(Integer.valueOf(first));
            encodings.add(0, first);
            c.send(new ClientMessage.SetEncodings(encodings));
            int w = c.serverInit().width();
            int h = c.serverInit().height();
            c.send(new ClientMessage.FramebufferUpdateRequest(false, 0, 0, w, h));
            int updates = 0;
            boolean pixels = false;
            // The first updates may carry only pseudo-rectangles (Xvnc answers a full request with the screen layout
            // and sends the pixels for the next, incremental one): go on until pixels came.
            while (!pixels && updates < 12) {
                byte[] m = c.readMessage();
                int type = m[0] & 0xff;
                seen.add(describe(m));
                if (type == 0) {
                    updates++;
                    pixels = m.length > PIXELS;
                    if (!pixels) {
                        c.send(new ClientMessage.FramebufferUpdateRequest(true, 0, 0, w, h));
                    }
                } else if (type == 248 && (ByteBuffer.wrap(m).getInt(4) & 0x80000000) != 0) {
                    // A fence request: answer as a viewer does, same payload, request flag cleared.
                    byte[] payload = java.util.Arrays.copyOfRange(m, 9, m.length);
                    c.send(new ClientMessage.ClientFence(ByteBuffer.wrap(m).getInt(4) & 0x7, payload));
                }
            }
            assertThat(pixels).as("an update with pixels among " + seen).isTrue();
            c.send(new ClientMessage.KeyEvent(true, 'x'));
            c.send(new ClientMessage.KeyEvent(false, 'x'));
            c.send(new ClientMessage.PointerEvent(0, w / 2, h / 2));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
        assertThat(s.endReport.getString("reason")).isEqualTo("client_closed");
        return seen;
    }

    /** Sessions preferring ZRLE, Hextile, Raw and Tight, each at 32, 16 and 8 bits per pixel. */
    private void everyEncodingAndFormat(String server, String host, int port) throws Exception {
        for (int first : List.of(Encodings.ZRLE, Encodings.HEXTILE, Encodings.RAW, Encodings.TIGHT)) {
            for (PixelFormat pf : FORMATS) {
                Set<String> seen = session(pending(host, port, null), first, pf);
                System.out.println(server + " None, " + Encodings.name(first) + ", " + pf.bitsPerPixel() + " bpp: "
                        + seen);
                assertThat(seen).contains("FramebufferUpdate(pixels)");
            }
        }
    }

    /** Message type, and for updates the rectangle encodings (read again with the framer's rules). */
    private static String describe(byte[] m) {
        int type = m[0] & 0xff;
        if (type == 3) {
            return ByteBuffer.wrap(m).getInt(4) < 0 ? "ExtendedClipboard" : "ServerCutText";
        }
        return switch (type) {
            case 0 -> m.length > PIXELS ? "FramebufferUpdate(pixels)" : "FramebufferUpdate(" + m.length + " bytes)";
            case 150 -> "EndOfContinuousUpdates";
            case 248 -> "ServerFence";
            case 2 -> "Bell";
            default -> "type " + type;
        };
    }

    private static String fingerprint(Path pem) throws Exception {
        var cert = CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(
                Files.readAllBytes(pem)));
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
    }

    @Test
    void xvncWithNoneVncAuthAndVeNCryptX509() throws Exception {
        try (RealServers servers = new RealServers()) {
            Path passwd = servers.dir().resolve("passwd");
            VncPasswordFile.write(passwd, "xvncpass");
            servers.certificates(XVNC_HOST);
            int none = RealServers.freePort(XVNC_HOST);
            servers.xvnc(XVNC_HOST, none, "-SecurityTypes", "None");
            int vnc = RealServers.freePort(XVNC_HOST);
            servers.xvnc(XVNC_HOST, vnc, "-SecurityTypes", "VncAuth", "-PasswordFile", passwd.toString());
            int x509 = RealServers.freePort(XVNC_HOST);
            servers.xvnc(XVNC_HOST, x509, "-SecurityTypes", "X509Vnc,X509None", "-PasswordFile", passwd.toString(),
                    "-X509Cert", servers.dir().resolve("server-cert.pem").toString(), "-X509Key",
                    servers.dir().resolve("server-key.pem").toString());

            Set<String> seen = session(pending(XVNC_HOST, none, null));
            System.out.println("Xvnc None through the broker: " + seen);
            assertThat(seen).contains("ServerFence", "EndOfContinuousUpdates", "ExtendedClipboard",
                    "FramebufferUpdate(pixels)");
            everyEncodingAndFormat("Xvnc", XVNC_HOST, none);
            System.out.println("Xvnc VncAuth: " + session(pending(XVNC_HOST, vnc, "xvncpass")));

            ManagementDouble.Session wrong = pending(XVNC_HOST, vnc, "notright");
            try (RfbTestClient c = RfbTestClient.tcp("127.0.0.1", listeners.plainPort())) {
                assertThat(c.handshake(wrong.oneTimePassword)).isFalse();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> wrong.endReport != null);
            assertThat(wrong.endReport.getString("reason")).isEqualTo("device_protocol_error");

            ManagementDouble.Session pinned = pending(XVNC_HOST, x509, "xvncpass");
            pinned.tlsFingerprint = fingerprint(servers.dir().resolve("server-cert.pem"));
            System.out.println("Xvnc X509Vnc, pinned: " + session(pinned));

            ManagementDouble.Session byCa = pending(XVNC_HOST, x509, null);
            byCa.tlsCaPem = Files.readString(servers.dir().resolve("ca.pem"));
            System.out.println("Xvnc X509None, CA: " + session(byCa));

            // A pin that does not match: the broker stops after TLS, before sending the password.
            ManagementDouble.Session badPin = pending(XVNC_HOST, x509, "xvncpass");
            badPin.tlsFingerprint = "00".repeat(32);
            try (RfbTestClient c = RfbTestClient.tcp("127.0.0.1", listeners.plainPort())) {
                assertThat(c.handshake(badPin.oneTimePassword)).isFalse();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> badPin.endReport != null);
            assertThat(badPin.endReport.getString("reason")).isEqualTo("device_protocol_error");
        }
    }

    /** X509Plain (username and password inside TLS) against a scripted server: neither Xvnc nor QEMU does it here. */
    @Test
    void veNCryptX509PlainWithAPinnedCertificate() throws Exception {
        try (RealServers servers = new RealServers()) {
            servers.certificates(org.cam.broker.support.ScriptedDevice.HOST);
            Path cert = servers.dir().resolve("server-cert.pem");
            try (var device = org.cam.broker.support.ScriptedDevice.startX509Plain(cert,
                    servers.dir().resolve("server-key.pem"), "operator", "plain-secret")) {
                ManagementDouble.Session s = pending(org.cam.broker.support.ScriptedDevice.HOST, device.port(),
                        "plain-secret");
                s.deviceAuth = "PLAIN";
                s.deviceUsername = "operator";
                s.tlsFingerprint = fingerprint(cert);
                try (RfbTestClient c = RfbTestClient.tcp("127.0.0.1", listeners.plainPort())) {
                    assertThat(c.handshake(s.oneTimePassword)).isTrue();
                    assertThat(c.serverInit().name()).isEqualTo("scripted");
                }
                assertThat(device.plainSeen()).isEqualTo("operator:plain-secret");
            }
            // Pinned to another certificate: the broker stops after TLS; the password never reaches the server.
            try (var device = org.cam.broker.support.ScriptedDevice.startX509Plain(cert,
                    servers.dir().resolve("server-key.pem"), "operator", "plain-secret")) {
                ManagementDouble.Session s = pending(org.cam.broker.support.ScriptedDevice.HOST, device.port(),
                        "plain-secret");
                s.deviceAuth = "PLAIN";
                s.deviceUsername = "operator";
                s.tlsFingerprint = fingerprint(servers.dir().resolve("ca.pem"));
                try (RfbTestClient c = RfbTestClient.tcp("127.0.0.1", listeners.plainPort())) {
                    assertThat(c.handshake(s.oneTimePassword)).isFalse();
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
                assertThat(s.endReport.getString("reason")).isEqualTo("device_protocol_error");
                assertThat(device.plainSeen()).isNull();
            }
        }
    }

    @Test
    void qemuWithNonePasswordAndVeNCryptX509() throws Exception {
        try (RealServers servers = new RealServers()) {
            servers.certificates(QEMU_HOST);
            int none = RealServers.freePort(QEMU_HOST);
            servers.qemu(QEMU_HOST, none, List.of(), "");
            int vnc = RealServers.freePort(QEMU_HOST);
            servers.qemu(QEMU_HOST, vnc, List.of("-object", "secret,id=vncpw,data=qemupass"),
                    ",password-secret=vncpw");
            int x509 = RealServers.freePort(QEMU_HOST);
            servers.qemu(QEMU_HOST, x509, List.of("-object", "secret,id=vncpw,data=qemupass", "-object",
                    "tls-creds-x509,id=tls0,endpoint=server,verify-peer=off,dir=" + servers.dir()),
                    ",tls-creds=tls0,password-secret=vncpw");

            Set<String> seen = session(pending(QEMU_HOST, none, null));
            System.out.println("QEMU None through the broker: " + seen);
            assertThat(seen).contains("ExtendedClipboard", "FramebufferUpdate(pixels)");
            everyEncodingAndFormat("QEMU", QEMU_HOST, none);
            System.out.println("QEMU VncAuth: " + session(pending(QEMU_HOST, vnc, "qemupass")));
            ManagementDouble.Session pinned = pending(QEMU_HOST, x509, "qemupass");
            pinned.tlsFingerprint = fingerprint(servers.dir().resolve("server-cert.pem"));
            System.out.println("QEMU X509Vnc, pinned: " + session(pinned));
        }
    }
}
