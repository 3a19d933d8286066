package org.cam.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLSocket;
import org.cam.broker.listener.ConnectionLimits;
import org.cam.broker.listener.Listeners;
import org.cam.broker.support.BrokerTestResource;
import org.cam.broker.support.Devices;
import org.cam.broker.support.ManagementDouble;
import org.cam.protocol.rfb.RfbVersion;
import org.cam.protocol.rfb.SecurityType;
import org.cam.protocol.ticket.TicketMode;
import org.cam.protocol.ticket.TicketSigner;
import org.cam.simulator.rfb.RfbChannelServer;
import org.cam.testsupport.rfb.RfbTestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The listeners under small limits, with real sockets from addresses of their own (127.0.84.x): connections that
 * never finish their opening are closed after the hello timeout; the per-address, total and handshake caps refuse
 * the next connection with a reason on each listener; one-time password guesses are limited per address before they
 * reach management-api; sessions within the limits still work.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestResource.class)
@TestProfile(ListenerLimitsTest.Limited.class)
class ListenerLimitsTest {

    public static class Limited implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "cam.broker.limits.max-connections", "8",
                    "cam.broker.limits.max-connections-per-address", "3",
                    "cam.broker.limits.max-handshakes", "6",
                    "cam.broker.limits.hello-timeout", "2s",
                    "cam.broker.limits.vnc-guess-burst", "3",
                    // One a minute: nothing refills while a test runs.
                    "cam.broker.limits.vnc-guesses-per-minute", "1",
                    // Parked handshakes must outlive a slow test run (BrokerTestResource's 5 s is for the others).
                    "cam.broker.relay.handshake-timeout", "120s");
        }
    }

    private static final AtomicInteger IDS = new AtomicInteger();

    @Inject
    Listeners listeners;

    @Inject
    ConnectionLimits limits;

    @Inject
    MeterRegistry meters;

    @Inject
    BrokerConfig config;

    private final List<AutoCloseable> open = new ArrayList<>();
    private RfbChannelServer device;

    @BeforeEach
    void nothingOpen() {
        assertThat(config.relay().handshakeTimeout()).isEqualTo(Duration.ofSeconds(120));
        await().atMost(Duration.ofSeconds(20)).until(() -> limits.connections() == 0 && limits.handshakes() == 0);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : open) {
            c.close();
        }
        open.clear();
        if (device != null) {
            device.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            device = null;
        }
    }

    // ---- hello timeout ---------------------------------------------------------------------------------------

    @Test
    void clientsThatSendNothingOrHalfAHeaderAreClosedAfterTheHelloTimeout() throws Exception {
        double before = rejects("hello_timeout");
        // 9900 and 9901: the broker's version arrives, the client never answers.
        for (int port : new int[] {listeners.plainPort(), listeners.tlsPort()}) {
            Socket s = from("127.0.84.60", port);
            assertThat(new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII))
                    .isEqualTo("RFB 003.008\n");
            assertThat(closedWithin(s, 30_000)).as("port %d", port).isTrue();
        }
        // 9900: the version but no choice of security type.
        Socket half = from("127.0.84.60", listeners.plainPort());
        half.getInputStream().readNBytes(12);
        half.getOutputStream().write(RfbVersion.V3_8.encode());
        assertThat(closedWithin(half, 30_000)).isTrue();
        // 9902: no TLS handshake at all.
        Socket silent = from("127.0.84.61", listeners.websocketPort());
        assertThat(closedWithin(silent, 30_000)).isTrue();
        // 9902: TLS, then half an upgrade request.
        SSLSocket tls = tls(from("127.0.84.61", listeners.websocketPort()));
        tls.getOutputStream().write(("GET /websockify HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        tls.getOutputStream().flush();
        assertThat(closedWithin(tls, 30_000)).isTrue();
        // 9902: upgraded, but the ticket (first text message) never comes.
        try (RfbTestClient noTicket = RfbTestClient.webSocket(BrokerTestResource.vertx, listeners.websocketPort(),
                null, null)) {
            assertThat(noTicket.awaitClosed(30_000)).isTrue();
        }
        // Counted: both RFB listeners' silent clients, the half RFB opening, the half header, the missing ticket.
        await().until(() -> rejects("hello_timeout") - before >= 5);
        await().until(() -> limits.connections() == 0);
    }

    // ---- caps --------------------------------------------------------------------------------------------------

    @Test
    void perAddressCapRefusesTheNextConnectionOnEveryListenerWithAReason() throws Exception {
        List<Socket> parked = new ArrayList<>();
        parked.add(park("127.0.84.1", listeners.plainPort()));
        parked.add(park("127.0.84.1", listeners.tlsPort()));
        parked.add(park("127.0.84.1", listeners.plainPort()));
        assertThat(limits.connectionsFrom("127.0.84.1")).isEqualTo(3);
        double before = rejects("too_many_connections_from_address");

        for (int port : new int[] {listeners.plainPort(), listeners.tlsPort()}) {
            try (RfbTestClient c = RfbTestClient.over(from("127.0.84.1", port))) {
                assertThat(c.handshake("whatever")).isFalse();
                assertThat(c.failureReason).isEqualTo("too many connections from 127.0.84.1");
            }
        }
        String answer = upgrade("127.0.84.1", "/websockify?ticket=x");
        assertThat(answer).startsWith("HTTP/1.1 429 ").containsIgnoringCase("retry-after: ")
                .contains("too many connections from 127.0.84.1");
        await().until(() -> rejects("too_many_connections_from_address") - before == 3);

        // Another address is not affected; the first gets its place back as soon as one of its connections closes.
        park("127.0.84.2", listeners.plainPort());
        parked.get(0).close();
        await().until(() -> limits.connectionsFrom("127.0.84.1") == 2);
        park("127.0.84.1", listeners.tlsPort());
    }

    @Test
    void totalAndHandshakeCapsRefuseTheNextConnectionAndSessionsWithinThemWork() throws Exception {
        device = Devices.start(BrokerTestResource.vertx, null, "limits");
        // Two sessions relaying (one per RFB transport and one over WebSocket would be three: keep to two).
        RfbTestClient plain = session("127.0.84.20", listeners.plainPort());
        RfbTestClient ws = webSocketSession();
        // Six handshakes under way from six addresses: 8 connections, 6 handshakes - both caps reached.
        List<Socket> parked = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            parked.add(park("127.0.84." + (30 + i), i % 2 == 0 ? listeners.plainPort() : listeners.tlsPort()));
        }
        assertThat(limits.connections()).isEqualTo(8);
        assertThat(limits.handshakes()).isEqualTo(6);

        try (RfbTestClient c = RfbTestClient.over(from("127.0.84.40", listeners.plainPort()))) {
            assertThat(c.handshake("whatever")).isFalse();
            assertThat(c.failureReason).isEqualTo("broker busy: too many connections, try again later");
        }
        assertThat(upgrade("127.0.84.40", "/websockify?ticket=x")).startsWith("HTTP/1.1 503 ")
                .containsIgnoringCase("retry-after: ").contains("broker busy: too many connections, try again later");

        // One session ends: 7 connections, still 6 handshakes.
        plain.close();
        await().until(() -> limits.connections() == 7);
        try (RfbTestClient c = RfbTestClient.over(from("127.0.84.40", listeners.tlsPort()))) {
            assertThat(c.handshake("whatever")).isFalse();
            assertThat(c.failureReason).isEqualTo("broker busy: too many connections starting, try again later");
        }
        await().until(() -> rejects("too_many_connections") >= 2);
        await().until(() -> rejects("too_many_handshakes") >= 1);

        // A handshake gives up: there is room for one more, and the WebSocket session relayed all along.
        parked.get(5).close();
        await().until(() -> limits.handshakes() == 5);
        park("127.0.84.40", listeners.plainPort());
        ws.typeKey('k');
        assertThat(ws.requestAndAwaitUpdate(16, 16)).isGreaterThanOrEqualTo(16 * 16);
        assertThat(device.screen().typedKeys()).contains("k");
    }

    // ---- one-time password guesses ---------------------------------------------------------------------------------

    @Test
    void passwordGuessesAreLimitedPerAddressBeforeTheyReachManagementApi() throws Exception {
        device = Devices.start(BrokerTestResource.vertx, null, "guesses");
        int claims = management().claimRequests();
        for (int i = 0; i < 3; i++) {
            try (RfbTestClient c = RfbTestClient.over(from("127.0.84.50", listeners.plainPort()))) {
                assertThat(c.handshake("wrong" + i)).isFalse();
                assertThat(c.failureReason).isEqualTo("authentication failed");
            }
        }
        assertThat(management().claimRequests()).isEqualTo(claims + 3);
        double throttled = rejects("throttled");
        // Out of guesses: refused at once, on both RFB listeners, with nothing sent upstream.
        for (int port : new int[] {listeners.plainPort(), listeners.tlsPort()}) {
            try (RfbTestClient c = RfbTestClient.over(from("127.0.84.50", port))) {
                assertThat(c.handshake("wrong")).isFalse();
                assertThat(c.failureReason).startsWith("too many password attempts from 127.0.84.50, try again in ");
            }
        }
        await().until(() -> rejects("throttled") - throttled == 2);
        assertThat(management().claimRequests()).isEqualTo(claims + 3);

        // Two connections admitted while one guess was left: only the first answer goes upstream.
        for (int i = 0; i < 2; i++) {
            try (RfbTestClient c = RfbTestClient.over(from("127.0.84.51", listeners.plainPort()))) {
                assertThat(c.handshake("wrong" + i)).isFalse();
            }
        }
        int upstream = management().claimRequests();
        double guessRefused = rejects("vnc_auth_throttled");
        RfbTestClient first = RfbTestClient.over(from("127.0.84.51", listeners.plainPort()));
        RfbTestClient second = RfbTestClient.over(from("127.0.84.51", listeners.plainPort()));
        open.add(first);
        open.add(second);
        await().until(() -> limits.connectionsFrom("127.0.84.51") == 2);
        assertThat(first.handshake("wrong2")).isFalse();
        assertThat(second.handshake("wrong3")).isFalse();
        assertThat(second.failureReason).isEqualTo("too many password attempts from your address, try again later");
        assertThat(management().claimRequests()).isEqualTo(upstream + 1);
        await().until(() -> rejects("vnc_auth_throttled") - guessRefused == 1);

        // Another address with the right password is served, again and again: right guesses are given back.
        for (int i = 0; i < 5; i++) {
            session("127.0.84.52", i % 2 == 0 ? listeners.plainPort() : listeners.tlsPort()).close();
        }

        // management-api's own count (shared by its replicas) refuses an address: the client is told why.
        management().throttle("127.0.84.53");
        double refusedUpstream = rejects("vnc_auth_throttled");
        try (RfbTestClient c = RfbTestClient.over(from("127.0.84.53", listeners.plainPort()))) {
            assertThat(c.handshake("wrong")).isFalse();
            assertThat(c.failureReason).isEqualTo("too many password attempts from your address, try again later");
        }
        await().until(() -> rejects("vnc_auth_throttled") - refusedUpstream == 1);
    }

    // ---- helpers -----------------------------------------------------------------------------------------------------

    private static ManagementDouble management() {
        return BrokerTestResource.management;
    }

    private double rejects(String reason) {
        Counter c = meters.find("cam.broker.rejects").tag("reason", reason).counter();
        return c == null ? 0 : c.count();
    }

    /** A TCP connection from {@code local} (any 127.x address is this host's). */
    private Socket from(String local, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
        s.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        open.add(s);
        return s;
    }

    private SSLSocket tls(Socket s) throws IOException {
        SSLSocket t = (SSLSocket) RfbTestClient.trustAll().getSocketFactory().createSocket(s, "127.0.0.1",
                s.getPort(), true);
        t.setUseClientMode(true);
        t.startHandshake();
        open.add(t);
        return t;
    }

    /**
     * An RFB client that chose VNC Authentication and now holds its connection in the handshake (as a person at the
     * password prompt would), past the hello timeout.
     */
    private Socket park(String local, int port) throws IOException {
        Socket s = from(local, port);
        InputStream in = s.getInputStream();
        var out = s.getOutputStream();
        assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).as("admitted").isEqualTo("RFB 003.008\n");
        out.write(RfbVersion.V3_8.encode());
        assertThat(in.readNBytes(2)[0]).as("one security type offered").isEqualTo((byte) 1);
        if (port == listeners.tlsPort()) {
            // VeNCrypt 0.2 and its sub-type X509Vnc (261); the TLS handshake would come next.
            out.write(RfbTestClient.VENCRYPT);
            assertThat(in.readNBytes(2)).containsExactly(0, 2);
            out.write(new byte[] {0, 2});
            assertThat(in.readNBytes(2)).containsExactly(0, 1);
            assertThat(java.nio.ByteBuffer.wrap(in.readNBytes(4)).getInt()).isEqualTo(RfbTestClient.X509_VNC);
            out.write(java.nio.ByteBuffer.allocate(4).putInt(RfbTestClient.X509_VNC).array());
            assertThat(in.readNBytes(1)).containsExactly(1);
        } else {
            out.write(SecurityType.VNC_AUTH);
            assertThat(in.readNBytes(16)).hasSize(16);   // the challenge
        }
        return s;
    }

    /** A relaying session over plain RFB from {@code local}. */
    private RfbTestClient session(String local, int port) throws Exception {
        String otp = String.format("l%07d", IDS.incrementAndGet());
        management().add("lim-" + IDS.incrementAndGet() + "-" + System.nanoTime(), otp, "CONTROL", Devices.HOST,
                device.port(), null, 0);
        RfbTestClient c = RfbTestClient.over(from(local, port));
        open.add(c);
        assertThat(c.handshake(otp)).isTrue();
        assertThat(c.requestAndAwaitUpdate(16, 16)).isGreaterThanOrEqualTo(16 * 16);
        return c;
    }

    /** A relaying session over 9902 with a ticket (from 127.0.0.1). */
    private RfbTestClient webSocketSession() throws Exception {
        String id = "lim-ws-" + IDS.incrementAndGet() + "-" + System.nanoTime();
        management().add(id, null, "CONTROL", Devices.HOST, device.port(), null, 0);
        String ticket = new TicketSigner(BrokerTestResource.ticketKeys.getPrivate(), BrokerTestResource.KEY_ID,
                Clock.systemUTC()).issue(id, "ada", "t1", TicketMode.CONTROL, "cam-broker");
        RfbTestClient c = RfbTestClient.webSocket(BrokerTestResource.vertx, listeners.websocketPort(),
                "ticket=" + ticket, null);
        open.add(c);
        assertThat(c.handshake(null)).isTrue();
        return c;
    }

    /** An HTTP upgrade request over TLS from {@code local}; the whole answer as text (the broker closes after it). */
    private String upgrade(String local, String path) throws IOException {
        SSLSocket s = tls(from(local, listeners.websocketPort()));
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                + "Sec-WebSocket-Protocol: binary\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        s.setSoTimeout(15_000);
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Reads until the peer closes (true) or nothing has come for {@code millis} (false). */
    private static boolean closedWithin(Socket s, int millis) throws IOException {
        s.setSoTimeout(millis);
        ByteArrayOutputStream ignored = new ByteArrayOutputStream();
        byte[] b = new byte[4096];
        try {
            int n;
            while ((n = s.getInputStream().read(b)) >= 0) {
                ignored.write(b, 0, n);
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
