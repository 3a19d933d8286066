package org.cam.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cam.broker.listener.Listeners;
import org.cam.broker.support.BrokerTestResource;
import org.cam.broker.support.Devices;
import org.cam.broker.support.ManagementDouble;
import org.cam.simulator.rfb.RfbChannelServer;
import org.cam.testsupport.rfb.RfbTestClient;
import org.junit.jupiter.api.Test;

/**
 * The broker behind a TCP load balancer that speaks the PROXY protocol (HAProxy's send-proxy-v2, as in the demo): the
 * claim names the client the header names, not the balancer, and a connection without the header gets nothing.
 */
@QuarkusTest
@TestProfile(ProxyProtocolTest.BehindABalancer.class)
class ProxyProtocolTest {

    public static class BehindABalancer implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cam.broker.proxy-protocol", "true");
        }
    }

    @Inject
    Listeners listeners;

    @Test
    void theClaimNamesTheClientTheHeaderNames() throws Exception {
        RfbChannelServer device = Devices.start(BrokerTestResource.vertx, "devsecret", "behind-proxy");
        try {
            ManagementDouble.Session s = BrokerTestResource.management.add("proxied-" + System.nanoTime(),
                    "prox0001", "CONTROL", Devices.HOST, device.port(), "devsecret", 0);
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress("127.0.0.1", listeners.plainPort()), 10_000);
            socket.getOutputStream().write(("PROXY TCP4 127.0.0.99 127.0.0.1 40000 " + listeners.plainPort() + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            try (RfbTestClient c = RfbTestClient.over(socket)) {
                assertThat(c.handshake("prox0001")).isTrue();
                assertThat(c.serverInit().name()).isEqualTo("behind-proxy");
                await().atMost(Duration.ofSeconds(10)).until(() -> s.claimedFrom != null);
                assertThat(s.claimedFrom).isEqualTo("127.0.0.99");
            }
        } finally {
            device.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aConnectionWithoutTheHeaderGetsNothing() throws Exception {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", listeners.plainPort()), 10_000);
            socket.setSoTimeout(20_000);
            // An RFB client speaking first instead of the balancer's header: no greeting, the broker closes.
            socket.getOutputStream().write("RFB 003.008\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            assertThat(in.read()).as("what the broker sends before it closes").isEqualTo(-1);
        }
    }
}
