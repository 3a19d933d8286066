package org.cam.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.cam.protocol.rfb.VncAuth;
import org.cam.simulator.device.SimDevice;
import org.cam.testsupport.rfb.RfbTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Session credentials over the device API (single use, with a lifetime, revocable) and RFB only from the brokers'
 * addresses ({@code --rfb-allowed-sources}), on a real device on loopback with real sockets.
 */
class SessionCredentialTest {

    static final String HOST = TestNet.addr(20);
    static final String BROKER = TestNet.addr(21);
    static final String STRANGER = TestNet.addr(22);
    static final int KVM = 15930;
    static final String BASE = "https://" + HOST + ":19447";
    static Fleet fleet;
    static HttpClient http;

    @BeforeAll
    static void start() throws Exception {
        fleet = new Fleet(SimulatorConfig.parse("--first-address", HOST, "--kvm-port", String.valueOf(KVM),
                "--https-port", "19447", "--channels", "2", "--tick-millis", "3600000", "--discovery", "manual",
                "--manager", TestNet.addr(250) + ":3080", "--rfb-allowed-sources", BROKER + "/32"));
        fleet.start(m -> { }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
        http = HttpClient.newBuilder().sslContext(RfbTestClient.trustAll()).connectTimeout(Duration.ofSeconds(5))
                .build();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    static SimDevice device() {
        return fleet.members().get(0).device();
    }

    static HttpResponse<String> call(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(BASE + path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer cam-bootstrap").header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(json));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** RFB 3.8 from {@code local}: 0 when accepted, 1 when the password failed; the refusal text when refused. */
    static String handshake(String local, int port, String password) throws Exception {
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(local), 0));
            s.connect(new InetSocketAddress(HOST, port), 5000);
            s.setSoTimeout(5000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            OutputStream out = s.getOutputStream();
            in.readFully(new byte[12]);
            out.write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
            int n = in.readUnsignedByte();
            if (n == 0) {
                byte[] reason = new byte[in.readInt()];
                in.readFully(reason);
                return "refused: " + new String(reason, StandardCharsets.UTF_8);
            }
            byte[] types = new byte[n];
            in.readFully(types);
            if (types[0] == 1) {
                return "none";
            }
            out.write(2);
            byte[] challenge = new byte[16];
            in.readFully(challenge);
            out.write(VncAuth.response(challenge, password));
            return String.valueOf(in.readInt());
        }
    }

    @Test
    void onlyTheBrokersAddressesMaySpeakRfb() throws Exception {
        assertThat(handshake(STRANGER, KVM, null)).isEqualTo("refused: RFB is only open to the CAM brokers");
        assertThat(handshake(BROKER, KVM, null)).isEqualTo("none");
    }

    @Test
    void aSessionCredentialWorksOnceUntilItExpiresOrIsRevoked() throws Exception {
        int port = KVM + 1;
        SimDevice.Channel ch = device().channel(2);
        assertThat(call("POST", "/api/v1/channels/2/session-credentials",
                "{\"id\":\"s-1\",\"password\":\"Abc12345\",\"ttlSeconds\":60}").statusCode()).isEqualTo(201);
        assertThat(ch.sessionCredentials().size()).isEqualTo(1);
        assertThat(handshake(BROKER, port, "wrong123")).isEqualTo("1");
        assertThat(handshake(BROKER, port, "Abc12345")).isEqualTo("0");
        // used up: the channel has no credential left and lets nobody in with it (it is open again, as before)
        assertThat(ch.sessionCredentials().size()).isZero();
        ch.password("fixed-pw");
        assertThat(handshake(BROKER, port, "Abc12345")).isEqualTo("1");

        // revoked before use
        call("POST", "/api/v1/channels/2/session-credentials", "{\"id\":\"s-2\",\"password\":\"Def12345\",\"ttlSeconds\":60}");
        assertThat(call("DELETE", "/api/v1/channels/2/session-credentials/s-2", null).statusCode()).isEqualTo(204);
        assertThat(handshake(BROKER, port, "Def12345")).isEqualTo("1");
        assertThat(call("DELETE", "/api/v1/channels/2/session-credentials/s-2", null).statusCode()).isEqualTo(204);

        // expired before use
        call("POST", "/api/v1/channels/2/session-credentials", "{\"id\":\"s-3\",\"password\":\"Ghi12345\",\"ttlSeconds\":1}");
        await().atMost(Duration.ofSeconds(10)).until(() -> ch.sessionCredentials().size() == 0);
        assertThat(handshake(BROKER, port, "Ghi12345")).isEqualTo("1");
        assertThat(call("GET", "/api/v1/status", null).body()).contains("\"sessionCredentials\":0");
    }

    @Test
    void theManagerTurnsOffTheChannelsOwnPasswordsAndSaysWhoMaySpeakRfb() throws Exception {
        SimDevice.Channel ch = device().channel(1);
        ch.password("fixed-pw");
        try {
            assertThat(handshake(BROKER, KVM, "fixed-pw")).isEqualTo("0");
            HttpResponse<String> r = call("PUT", "/api/v1/config", "{\"sessionCredentialsOnly\":true}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"sessionCredentialsOnly\":true");
            // the fixed password (cracked from an old capture, say) opens nothing now
            assertThat(handshake(BROKER, KVM, "fixed-pw")).isEqualTo("1");
            // a session credential still does, once
            call("POST", "/api/v1/channels/1/session-credentials",
                    "{\"id\":\"s-4\",\"password\":\"Jkl12345\",\"ttlSeconds\":60}");
            assertThat(handshake(BROKER, KVM, "Jkl12345")).isEqualTo("0");
            // without any credential the channel still asks for one: it never falls back to security type None
            ch.password(null);
            assertThat(handshake(BROKER, KVM, "anything")).isEqualTo("1");

            r = call("PUT", "/api/v1/config", "{\"rfbAllowedSources\":[\"" + STRANGER + "/32\"]}");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(call("GET", "/api/v1/config", null).body())
                    .contains("\"rfbAllowedSources\":[\"" + STRANGER + "/32\"]");
            assertThat(handshake(BROKER, KVM, "anything")).isEqualTo("refused: RFB is only open to the CAM brokers");
            assertThat(handshake(STRANGER, KVM, "anything")).isEqualTo("1");

            r = call("PUT", "/api/v1/config", "{\"rfbAllowedSources\":[\"10.0.0.0/8\",\"10.0.0.300\"]}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("\"field\":\"rfbAllowedSources[1]\"");
            r = call("PUT", "/api/v1/config", "{\"sessionCredentialsOnly\":\"yes\"}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(r.body()).contains("\"field\":\"sessionCredentialsOnly\"");
            assertThat(device().rfbAllowedSources()).isEqualTo(STRANGER + "/32");   // a refused request changed nothing
        } finally {
            call("PUT", "/api/v1/config", "{\"sessionCredentialsOnly\":false,\"rfbAllowedSources\":[\"" + BROKER
                    + "/32\"]}");
            ch.password(null);
        }
        assertThat(handshake(BROKER, KVM, null)).isEqualTo("none");
    }

    @Test
    void badSessionCredentialsNameTheField() throws Exception {
        HttpResponse<String> r = call("POST", "/api/v1/channels/1/session-credentials",
                "{\"id\":\"s 1\",\"password\":\"Abc12345\",\"ttlSeconds\":60}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.body()).contains("\"field\":\"id\"");
        r = call("POST", "/api/v1/channels/1/session-credentials", "{\"id\":\"s1\",\"password\":\"short\",\"ttlSeconds\":60}");
        assertThat(r.body()).contains("\"field\":\"password\"");
        r = call("POST", "/api/v1/channels/1/session-credentials", "{\"id\":\"s1\",\"password\":\"Abc12345\",\"ttlSeconds\":0}");
        assertThat(r.body()).contains("\"field\":\"ttlSeconds\"");
        assertThat(call("POST", "/api/v1/channels/9/session-credentials",
                "{\"id\":\"s1\",\"password\":\"Abc12345\",\"ttlSeconds\":60}").statusCode()).isEqualTo(404);
        assertThat(device().channel(1).sessionCredentials().size()).isZero();
    }
}
