package org.cam.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.cam.broker.listener.Listeners;
import org.cam.broker.session.BrokerDrain;
import org.cam.broker.session.BrokerService;
import org.cam.broker.support.BrokerTestResource;
import org.cam.broker.support.Devices;
import org.cam.broker.support.ManagementDouble;
import org.cam.testsupport.Packages;
import org.cam.testsupport.browser.Chromium;
import org.cam.testsupport.rfb.RfbTestClient;
import org.cam.testsupport.rfb.VncPasswordFile;
import org.cam.protocol.rfb.ClientMessage;
import org.cam.protocol.rfb.RfbVersion;
import org.cam.protocol.ticket.Ticket;
import org.cam.protocol.ticket.TicketKeys;
import org.cam.protocol.ticket.TicketMode;
import org.cam.protocol.ticket.TicketSigner;
import org.cam.simulator.rfb.RfbChannelServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The broker end to end on loopback: real listeners, simulated devices (device-simulator's RFB server), a real
 * HTTP test double of management-api's internal API, stock vncsnapshot and Java RFB clients over TCP and WebSocket.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestResource.class)
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class SessionBrokerTest {

    private static final AtomicInteger IDS = new AtomicInteger();

    @Inject
    Listeners listeners;

    @Inject
    BrokerService service;

    @Inject
    BrokerDrain drain;

    @TestHTTPResource("/")
    URL admin;

    /** A request to the admin API with the test profile's admin token. */
    private HttpRequest.Builder adminRequest(String path) throws Exception {
        return HttpRequest.newBuilder(admin.toURI().resolve(path))
                .header("Authorization", "Bearer test-broker-admin-token");
    }

    private int readiness() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(admin.toURI().resolve("q/health/ready")).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private RfbChannelServer device;

    @AfterEach
    void stopDevice() throws Exception {
        if (device != null) {
            device.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static ManagementDouble management() {
        return BrokerTestResource.management;
    }

    private static String newId() {
        return "s" + IDS.incrementAndGet() + "-" + System.nanoTime();
    }

    private ManagementDouble.Session pending(String mode, String otp, String devicePassword, long idle)
            throws Exception {
        device = Devices.start(BrokerTestResource.vertx, devicePassword, "target-console");
        return management().add(newId(), otp, mode, Devices.HOST, device.port(), devicePassword, idle);
    }

    private static String ticket(String sessionId, TicketMode mode) {
        return new TicketSigner(BrokerTestResource.ticketKeys.getPrivate(), BrokerTestResource.KEY_ID,
                Clock.systemUTC()).issue(sessionId, "ada", "t1", mode, "cam-broker");
    }

    private RfbTestClient viaPlain() throws Exception {
        return RfbTestClient.tcp("127.0.0.1", listeners.plainPort());
    }

    private RfbTestClient viaWebSocket(String query, String firstText) throws Exception {
        return RfbTestClient.webSocket(BrokerTestResource.vertx, listeners.websocketPort(), query, firstText);
    }

    private String metrics() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(admin.toURI().resolve("q/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    // ---- 9900 -------------------------------------------------------------------------------------------------

    @Test
    void vncsnapshotWithTheOneTimePasswordGetsTheTargetScreen() throws Exception {
        ManagementDouble.Session s = pending("CONTROL", "otp12345", "devsecret", 0);
        Packages.ensure("vncsnapshot=vncsnapshot");
        Path dir = Files.createTempDirectory("cam-broker");
        Path passwd = dir.resolve("passwd");
        VncPasswordFile.write(passwd, "otp12345");
        Path out = dir.resolve("screen.jpg");
        Process p = new ProcessBuilder("vncsnapshot", "-quiet", "-passwd", passwd.toString(),
                "127.0.0.1::" + listeners.plainPort(), out.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(log).isZero();
        BufferedImage img = ImageIO.read(out.toFile());
        deleteTree(dir);
        assertThat(img.getWidth()).isEqualTo(1024);
        assertThat(img.getHeight()).isEqualTo(768);
        await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
        assertThat(s.endReport.getString("reason")).isEqualTo("client_closed");
        assertThat(s.endReport.getLong("bytesFromDevice")).isGreaterThan(1024L * 768);
        assertThat(s.claimedBy).isEqualTo("broker-test");
    }

    /** Best effort: a file that vanishes meanwhile is fine, and a leftover temp folder fails no test. */
    private static void deleteTree(Path dir) throws java.io.IOException {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (java.io.UncheckedIOException vanished) {
            // a file disappeared between listing and visiting: nothing left to do for it
        }
    }

    @Test
    void controlSessionOverPlainRfbRelaysKeysAndScreen() throws Exception {
        ManagementDouble.Session s = pending("CONTROL", "ctl00001", "devsecret", 0);
        try (RfbTestClient c = viaPlain().version(RfbVersion.V3_7)) {
            assertThat(c.handshake("ctl00001")).isTrue();
            assertThat(c.serverInit().width()).isEqualTo(1024);
            assertThat(c.serverInit().height()).isEqualTo(768);
            assertThat(c.serverInit().name()).isEqualTo("target-console");
            c.typeKey('q');
            c.typeKey('z');
            assertThat(c.requestAndAwaitUpdate(64, 64)).isGreaterThanOrEqualTo(64 * 64);
            assertThat(device.screen().typedKeys()).contains("qz");
            await().until(() -> service.activeCount() >= 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> management().lastHeartbeat() != null
                    && management().lastHeartbeat().getJsonArray("activeSessionIds").contains(s.id)
                    && !management().lastHeartbeat().getBoolean("draining"));
            assertThat(metrics()).containsPattern("cam_broker_active_sessions [1-9]")
                    .containsPattern("cam_broker_bytes_total\\{direction=\"from_device\"\\} [1-9]")
                    .containsPattern("cam_broker_sessions_started_total\\{listener=\"plain\"\\} [1-9]");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
        assertThat(s.endReport.getString("reason")).isEqualTo("client_closed");
        assertThat(s.endReport.getLong("bytesFromClient")).isPositive();
        assertThat(Instant.parse(s.endReport.getString("endedAt"))).isBefore(Instant.now().plusSeconds(1));
        assertThat(s.endReport.getString("brokerId")).isEqualTo("broker-test");
    }

    @Test
    void viewSessionDropsKeysPointerAndClipboard() throws Exception {
        pending("VIEW", "view0001", null, 0);
        try (RfbTestClient c = viaPlain()) {
            assertThat(c.handshake("view0001")).isTrue();
            c.typeKey('v');
            c.send(new ClientMessage.PointerEvent(1, 100, 100));
            c.send(new ClientMessage.ClientCutText("secret"));
            // Order is kept: when the update arrives, the device has seen everything sent before it.
            assertThat(c.requestAndAwaitUpdate(32, 32)).isGreaterThanOrEqualTo(32 * 32);
            assertThat(device.screen().typedKeys()).doesNotContain("v");
        }
    }

    @Test
    void wrongOneTimePasswordIsRefused() throws Exception {
        ManagementDouble.Session s = pending("CONTROL", "right001", null, 0);
        try (RfbTestClient c = viaPlain()) {
            assertThat(c.handshake("wrong001")).isFalse();
            assertThat(c.awaitClosed(5000)).isTrue();
        }
        assertThat(s.state).isEqualTo("PENDING");
    }

    @Test
    void malformedClientInputClosesOnlyThatSession() throws Exception {
        ManagementDouble.Session good = pending("CONTROL", "good0001", null, 0);
        RfbChannelServer first = device;
        ManagementDouble.Session bad = management().add(newId(), "bad00001", "CONTROL", Devices.HOST, first.port(),
                null, 0);
        try (RfbTestClient ok = viaPlain(); RfbTestClient evil = viaPlain()) {
            assertThat(ok.handshake("good0001")).isTrue();
            assertThat(evil.handshake("bad00001")).isTrue();
            evil.sendRaw(new byte[] {(byte) 0x7f, 1, 2, 3, 4, 5, 6, 7});
            assertThat(evil.awaitClosed(5000)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> bad.endReport != null);
            assertThat(bad.endReport.getString("reason")).isEqualTo("client_protocol_error");
            ok.typeKey('k');
            assertThat(ok.requestAndAwaitUpdate(16, 16)).isGreaterThanOrEqualTo(16 * 16);
            assertThat(first.screen().typedKeys()).contains("k");
            assertThat(good.endReport).isNull();
        }
    }

    @Test
    void idleSessionEnds() throws Exception {
        ManagementDouble.Session s = pending("CONTROL", "idle0001", null, 1);
        try (RfbTestClient c = viaPlain()) {
            assertThat(c.handshake("idle0001")).isTrue();
            assertThat(c.awaitClosed(10_000)).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
        assertThat(s.endReport.getString("reason")).isEqualTo("idle_timeout");
    }

    @Test
    void adminDisconnectByHeartbeatAndByDelete() throws Exception {
        ManagementDouble.Session s = pending("CONTROL", "admin001", null, 0);
        try (RfbTestClient c = viaPlain()) {
            assertThat(c.handshake("admin001")).isTrue();
            management().terminate(s.id);
            assertThat(c.awaitClosed(10_000)).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
        assertThat(s.endReport.getString("reason")).isEqualTo("admin_disconnect");

        HttpResponse<String> r = HttpClient.newHttpClient().send(adminRequest("api/v1/sessions/nope").DELETE()
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("application/problem+json"));
        assertThat(r.body()).contains("\"field\":\"id\"").contains("https://cam.test/problems/not-found");
        // without the token, or with a wrong one, nothing: the admin API is closed to whoever reaches its port
        for (String header : new String[] {null, "Bearer wrong", "Bearer test-broker-admin-toke"}) {
            HttpRequest.Builder b = HttpRequest.newBuilder(admin.toURI().resolve("api/v1/sessions"));
            if (header != null) {
                b.header("Authorization", header);
            }
            HttpResponse<String> refused = HttpClient.newHttpClient().send(b.build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode()).as(header).isEqualTo(401);
            assertThat(refused.body()).contains("https://cam.test/problems/unauthorized");
        }
        // framework errors are problem+json too
        HttpResponse<String> nothing = HttpClient.newHttpClient().send(adminRequest("api/v1/nothing-here").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(nothing.statusCode()).isEqualTo(404);
        assertThat(nothing.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("application/problem+json"));
        assertThat(nothing.body()).contains("https://cam.test/problems/not-found");

        ManagementDouble.Session s2 = management().add(newId(), "admin002", "VIEW", Devices.HOST, device.port(),
                null, 0);
        try (RfbTestClient c = viaPlain()) {
            assertThat(c.handshake("admin002")).isTrue();
            await().until(() -> service.activeSessions().stream().anyMatch(x -> s2.id.equals(x.sessionId())));
            c.typeKey('v'); // down and up, both dropped in a view session
            HttpResponse<String> list = await().atMost(Duration.ofSeconds(10)).until(() -> HttpClient.newHttpClient()
                    .send(adminRequest("api/v1/sessions").build(),
                            HttpResponse.BodyHandlers.ofString()), l -> l.body().contains("\"droppedFromClient\":2"));
            assertThat(list.statusCode()).isEqualTo(200);
            assertThat(list.body()).contains("\"sessionId\":\"" + s2.id + "\"").contains("\"mode\":\"VIEW\"")
                    .contains("\"listener\":\"plain\"").contains("\"droppedFromDevice\":0");
            HttpResponse<String> d = HttpClient.newHttpClient().send(adminRequest("api/v1/sessions/" + s2.id)
                    .DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(d.statusCode()).isEqualTo(202);
            assertThat(c.awaitClosed(10_000)).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s2.endReport != null);
        assertThat(s2.endReport.getString("reason")).isEqualTo("admin_disconnect");
    }

    // ---- 9902 -------------------------------------------------------------------------------------------------

    @Test
    void webSocketWithTicketControlsTheTargetAndTheTicketWorksOnce() throws Exception {
        ManagementDouble.Session s = pending("CONTROL", null, "devsecret", 0);
        String ticket = ticket(s.id, TicketMode.CONTROL);
        try (RfbTestClient c = viaWebSocket("ticket=" + ticket, null)) {
            assertThat(c.handshake(null)).isTrue();
            assertThat(c.serverInit().width()).isEqualTo(1024);
            c.typeKey('w');
            assertThat(c.requestAndAwaitUpdate(64, 64)).isGreaterThanOrEqualTo(64 * 64);
            assertThat(device.screen().typedKeys()).contains("w");

            int claims = management().claimRequests();
            try (RfbTestClient replay = viaWebSocket("ticket=" + ticket, null)) {
                assertThat(replay.awaitClosed(10_000)).isTrue();
            }
            assertThat(management().claimRequests()).isEqualTo(claims + 1);
            assertThat(metrics()).containsPattern("cam_broker_rejects_total\\{reason=\"claim_refused\"\\} [1-9]");
        }
    }

    /**
     * Resume: the claim names when its ticket was issued (management-api tells a resume ticket from the first by it),
     * and a leg whose session its owner resumed elsewhere ends as resumed_elsewhere, reporting which leg it was.
     */
    @Test
    void aLegResumedElsewhereEndsAndSaysWhichLegItWas() throws Exception {
        ManagementDouble.Session s = pending("CONTROL", null, null, 0);
        s.resumable = true;
        s.leg = 2;
        try (RfbTestClient c = viaWebSocket(null, ticket(s.id, TicketMode.CONTROL))) {
            assertThat(c.handshake(null)).isTrue();
            assertThat(s.claimTicketIssuedAt).isNotNull();
            assertThat(Duration.between(Instant.parse(s.claimTicketIssuedAt), Instant.now()).abs())
                    .isLessThan(Duration.ofMinutes(1));
            management().supersede(s.id);
            assertThat(c.awaitClosed(10_000)).isTrue();
            assertThat(c.closeStatus()).isEqualTo("1000 ended: resumed_elsewhere");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
        assertThat(s.endReport.getString("reason")).isEqualTo("resumed_elsewhere");
        assertThat(s.endReport.getInteger("leg")).isEqualTo(2);
        assertThat(s.endReport.getBoolean("resumable")).isFalse();
    }

    @Test
    void webSocketTicketInFirstMessageViewOnly() throws Exception {
        ManagementDouble.Session s = pending("VIEW", null, null, 0);
        try (RfbTestClient c = viaWebSocket(null, ticket(s.id, TicketMode.VIEW))) {
            assertThat(c.handshake(null)).isTrue();
            c.typeKey('m');
            assertThat(c.requestAndAwaitUpdate(8, 8)).isGreaterThanOrEqualTo(8 * 8);
            assertThat(device.screen().typedKeys()).doesNotContain("m");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
    }

    @Test
    void expiredAndForgedTicketsCostNothingUpstream() throws Exception {
        ManagementDouble.Session s = pending("CONTROL", null, null, 0);
        Instant past = Instant.now().minus(Duration.ofMinutes(10));
        String expired = new TicketSigner(BrokerTestResource.ticketKeys.getPrivate(), BrokerTestResource.KEY_ID,
                Clock.systemUTC()).sign(new Ticket(s.id, "ada", "t1", TicketMode.CONTROL, past,
                past.plusSeconds(30), "cam-broker"));
        String forged = new TicketSigner(TicketKeys.generate().getPrivate(), BrokerTestResource.KEY_ID,
                Clock.systemUTC()).issue(s.id, "ada", "t1", TicketMode.CONTROL, "cam-broker");
        int before = management().claimRequests();
        for (String bad : new String[] {expired, forged, "garbage", ""}) {
            try (RfbTestClient c = viaWebSocket("ticket=" + bad, null)) {
                assertThat(c.awaitClosed(10_000)).as(bad).isTrue();
            }
        }
        assertThat(management().claimRequests()).isEqualTo(before);
        assertThat(s.state).isEqualTo("PENDING");
        String m = metrics();
        assertThat(m).contains("reason=\"ticket_expired\"").contains("reason=\"ticket_bad_signature\"")
                .contains("reason=\"ticket_malformed\"");
    }

    @Test
    void veNCryptX509VncOn9901() throws Exception {
        ManagementDouble.Session s = pending("CONTROL", "tls00001", "devsecret", 0);
        try (RfbTestClient c = RfbTestClient.tcp("127.0.0.1", listeners.tlsPort())) {
            assertThat(c.handshake("tls00001")).isTrue();
            // TLS 1.2 by default on this port, though the client offers 1.3 (TigerVNC 1.12's viewer stalls on 1.3).
            assertThat(c.tlsSession.getProtocol()).isEqualTo("TLSv1.2");
            assertThat(c.serverInit().width()).isEqualTo(1024);
            c.typeKey('t');
            assertThat(c.requestAndAwaitUpdate(64, 64)).isGreaterThanOrEqualTo(64 * 64);
            assertThat(device.screen().typedKeys()).contains("t");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
        assertThat(s.endReport.getString("reason")).isEqualTo("client_closed");
        assertThat(metrics()).containsPattern("cam_broker_sessions_started_total\\{listener=\"tls\"\\} [1-9]");
    }

    @Test
    void veNCryptPortRefusesWrongPasswordsAndRfb33() throws Exception {
        ManagementDouble.Session s = pending("CONTROL", "tls00002", null, 0);
        try (RfbTestClient c = RfbTestClient.tcp("127.0.0.1", listeners.tlsPort())) {
            assertThat(c.handshake("wrong002")).isFalse();
            assertThat(c.tlsSession).isNotNull();
            assertThat(c.failureReason).isEqualTo("authentication failed");
        }
        try (RfbTestClient c = RfbTestClient.tcp("127.0.0.1", listeners.tlsPort()).version(RfbVersion.V3_3)) {
            assertThat(c.handshake("tls00002")).isFalse();
            assertThat(c.awaitClosed(5000)).isTrue();
        }
        assertThat(s.state).isEqualTo("PENDING");
    }

    @Test
    void deviceDyingMidSessionClosesTheClientCleanly() throws Exception {
        ManagementDouble.Session s = pending("CONTROL", "dies0001", null, 0);
        try (RfbTestClient c = viaPlain()) {
            assertThat(c.handshake("dies0001")).isTrue();
            device.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            device = null;
            assertThat(c.awaitClosed(10_000)).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
        assertThat(s.endReport.getString("reason")).isEqualTo("device_closed");
    }

    /** A device behind a KVM switch showing another channel refuses the viewer; the user learns why. */
    @Test
    void deviceRefusalReachesTheClientAndTheEndReport() throws Exception {
        device = Devices.start(BrokerTestResource.vertx, "busy0001", "target-console",
                () -> "busy: the KVM switch is showing channel 2 (db-01)");
        ManagementDouble.Session s = management().add(newId(), "busy0001", "CONTROL", Devices.HOST, device.port(),
                "busy0001", 0);
        try (RfbTestClient c = viaPlain()) {
            assertThat(c.handshake("busy0001")).isFalse();
            assertThat(c.failureReason).isEqualTo("target refused: busy: the KVM switch is showing channel 2 (db-01)");
            assertThat(c.awaitClosed(5000)).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
        assertThat(s.endReport.getString("reason")).isEqualTo("device_refused");
    }

    /**
     * The RFB 3.3 form of a refusal, security type 0 and a reason, which TigerVNC's Xvnc sends to an address it has
     * blacklisted whatever version it otherwise speaks: a refusal with its reason too, not a protocol error.
     */
    @Test
    void aRefusalInRfb33FormReachesTheClientAndTheEndReport() throws Exception {
        try (java.net.ServerSocket server = org.cam.broker.support.ScriptedDevice.bindInRange(
                org.cam.broker.support.ScriptedDevice.HOST)) {
            CompletableFuture<Void> answered = CompletableFuture.runAsync(() -> {
                try (java.net.Socket sock = server.accept()) {
                    byte[] reason = "Too many security failures".getBytes(StandardCharsets.US_ASCII);
                    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(12 + 8 + reason.length);
                    b.put("RFB 003.003\n".getBytes(StandardCharsets.US_ASCII)).putInt(0).putInt(reason.length)
                            .put(reason);
                    sock.getOutputStream().write(b.array());
                    sock.getOutputStream().flush();
                    sock.getInputStream().readAllBytes(); // until the broker closes
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            ManagementDouble.Session s = management().add(newId(), "black001", "CONTROL",
                    org.cam.broker.support.ScriptedDevice.HOST, server.getLocalPort(), null, 0);
            try (RfbTestClient c = viaPlain()) {
                assertThat(c.handshake("black001")).isFalse();
                assertThat(c.failureReason).isEqualTo("target refused: Too many security failures");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
            assertThat(s.endReport.getString("reason")).isEqualTo("device_refused");
            answered.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void unreachableDeviceFailsTheClientsAuthAndEndsTheSession() throws Exception {
        int closedPort;
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getByName(Devices.HOST))) {
            closedPort = probe.getLocalPort();
        }
        ManagementDouble.Session s = management().add(newId(), "gone0001", "CONTROL", Devices.HOST, closedPort,
                null, 0);
        try (RfbTestClient c = viaPlain()) {
            assertThat(c.handshake("gone0001")).isFalse();
            assertThat(c.awaitClosed(5000)).isTrue();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
        assertThat(s.endReport.getString("reason")).isEqualTo("device_unreachable");
    }

    @Test
    void slowClientKeepsBrokerBufferingBounded() throws Exception {
        ManagementDouble.Session s = pending("VIEW", "slow0001", null, 0);
        try (RfbTestClient c = viaPlain()) {
            assertThat(c.handshake("slow0001")).isTrue();
            // 200 full-screen raw updates (about 600 MiB) requested, none read: the device must be paused.
            for (int i = 0; i < 200; i++) {
                c.send(new ClientMessage.FramebufferUpdateRequest(false, 0, 0, 1024, 768));
            }
            long[] last = {-1};
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(700)).until(() -> {
                long now = fromDevice(s.id);
                boolean stable = now > 0 && now == last[0];
                last[0] = now;
                return stable;
            });
            // Socket buffers on both hops plus the 256 KiB write queue, far below what was requested.
            assertThat(last[0]).isLessThan(48L << 20);
        }
    }

    private long fromDevice(String sessionId) {
        return service.activeSessions().stream().filter(x -> sessionId.equals(x.sessionId()))
                .mapToLong(org.cam.broker.relay.RelaySession::bytesFromDevice).findFirst().orElse(-1);
    }

    @Test
    void thousandSessionsLeaveNoDescriptorOpen() throws Exception {
        device = Devices.start(BrokerTestResource.vertx, null, "fd-check");
        openAndClose(20); // warm up pools and lazily opened files
        await().atMost(Duration.ofSeconds(10)).until(() -> service.activeCount() == 0);
        long before = openDescriptors();
        openAndClose(1000);
        await().atMost(Duration.ofSeconds(20)).until(() -> service.activeCount() == 0
                && openDescriptors() <= before + 4);
    }

    private void openAndClose(int n) throws Exception {
        for (int i = 0; i < n; i++) {
            String otp = String.format("f%07d", IDS.incrementAndGet());
            management().add(newId(), otp, "CONTROL", Devices.HOST, device.port(), null, 0);
            try (RfbTestClient c = viaPlain()) {
                assertThat(c.handshake(otp)).isTrue();
            }
        }
    }

    private static long openDescriptors() throws Exception {
        try (var files = Files.list(Path.of("/proc/self/fd"))) {
            return files.count();
        }
    }

    /**
     * noVNC 1.7 (from npm) in headless Chromium, over 9902 with the ticket in the URL: the canvas gets the device's
     * 1024x768 screen and keys typed in the browser reach the device. The page reports to a small HTTP server here.
     */
    @Test
    void noVncInChromiumThroughTheBroker() throws Exception {
        ManagementDouble.Session s = pending("CONTROL", null, "devsecret", 0);
        Path dir = Files.createTempDirectory("cam-novnc");
        Packages.ensure("chromium=chromium", "npm=npm");
        Process pack = new ProcessBuilder("npm", "pack", "--silent", "@novnc/novnc@1.7.0").directory(dir.toFile())
                .redirectErrorStream(true).start();
        assertThat(pack.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(pack.exitValue()).isZero();
        Process untar = new ProcessBuilder("tar", "xzf", "novnc-novnc-1.7.0.tgz").directory(dir.toFile()).start();
        assertThat(untar.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Path root = dir.resolve("package");
        Files.copy(getClass().getResourceAsStream("/novnc/index.html"), root.resolve("index.html"));

        java.util.List<String> reports = new java.util.concurrent.CopyOnWriteArrayList<>();
        io.vertx.core.http.HttpServer web = BrokerTestResource.vertx.createHttpServer().requestHandler(req -> {
            if (req.path().equals("/report")) {
                reports.add(req.getParam("what"));
                req.response().end();
            } else {
                Path f = root.resolve(req.path().substring(1)).normalize();
                if (!f.startsWith(root) || !Files.isRegularFile(f)) {
                    req.response().setStatusCode(404).end();
                } else {
                    req.response().putHeader("Content-Type", f.toString().endsWith(".js") ? "text/javascript"
                            : "text/html").sendFile(f.toString());
                }
            }
        });
        int webPort = web.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .actualPort();
        String wsUrl = "wss://127.0.0.1:" + listeners.websocketPort() + "/?ticket=" + ticket(s.id, TicketMode.CONTROL);
        String page = "http://127.0.0.1:" + webPort + "/index.html?url="
                + java.net.URLEncoder.encode(wsUrl, StandardCharsets.UTF_8);
        Chromium chromium = Chromium.start(java.util.List.of("--ignore-certificate-errors"));
        try {
            chromium.navigate(page);
            await().atMost(Duration.ofSeconds(60)).until(() -> reports.contains("keys sent"));
            assertThat(reports).contains("connected", "canvas 1024x768 target-console");
            await().atMost(Duration.ofSeconds(10)).until(() -> device.screen().typedKeys().contains("nv"));
        } finally {
            chromium.close();
            web.close();
            deleteTree(dir);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
        assertThat(s.endReport.getString("reason")).isEqualTo("client_closed");
    }

    @Test
    void readinessReflectsListenersAndManagementApi() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                admin.toURI().resolve("q/health/ready")).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode() == 200);
        assertThat(management().heartbeats()).isPositive();
    }

    /**
     * Drain, as on SIGTERM (the ShutdownEvent observer calls the same method): readiness drops at once, new clients
     * are refused, a browser console whose session may resume is asked at once to resume elsewhere (close code 4001,
     * its leg reported resumable), a stock VNC client's session continues through the grace (2 s here) and then ends
     * with reason broker_drained. Last, since the broker stays draining afterwards.
     */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void drainAsksConsolesToResumeAndLetsStockClientsRunThroughTheGrace() throws Exception {
        await().atMost(Duration.ofSeconds(10)).until(() -> readiness() == 200);
        assertThat(service.activeCount()).isZero();
        RfbChannelServer device = Devices.start(BrokerTestResource.vertx, null, "drain");
        try {
            ManagementDouble.Session s = BrokerTestResource.management.add("drain-1", "drain001", "CONTROL",
                    Devices.HOST, device.port(), null, 0);
            ManagementDouble.Session browser = BrokerTestResource.management.add("drain-2", null, "CONTROL",
                    Devices.HOST, device.port(), null, 0);
            browser.resumable = true;
            try (RfbTestClient c = RfbTestClient.tcp("127.0.0.1", listeners.plainPort());
                 RfbTestClient console = viaWebSocket(null, ticket(browser.id, TicketMode.CONTROL))) {
                assertThat(c.handshake("drain001")).isTrue();
                assertThat(console.handshake(null)).isTrue();
                long start = System.nanoTime();
                CompletableFuture<Void> drained = CompletableFuture.runAsync(drain::drain);
                await().atMost(Duration.ofSeconds(1)).until(() -> readiness() == 503);
                try (RfbTestClient late = RfbTestClient.tcp("127.0.0.1", listeners.plainPort())) {
                    assertThat(late.awaitClosed(5000)).isTrue();
                }
                assertThat(console.awaitClosed(10_000)).isTrue();
                assertThat(console.closeStatus()).isEqualTo("4001 resume: broker_drained");
                // The stock client is still relaying: its grace has not run out.
                c.typeKey('d');
                assertThat(c.requestAndAwaitUpdate(16, 16)).isPositive();
                assertThat(device.screen().typedKeys()).contains("d");
                await().atMost(Duration.ofSeconds(10)).until(() -> browser.endReport != null);
                assertThat(browser.endReport.getString("reason")).isEqualTo("broker_drained");
                assertThat(browser.endReport.getBoolean("resumable")).isTrue();
                assertThat(browser.endReport.getInteger("leg")).isEqualTo(1);
                assertThat(s.endReport).isNull();
                assertThat(c.awaitClosed(10_000)).isTrue();
                assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(2));
                drained.get(20, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> s.endReport != null);
            assertThat(s.endReport.getString("reason")).isEqualTo("broker_drained");
            assertThat(s.endReport.getBoolean("resumable")).isFalse();
        } finally {
            device.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
