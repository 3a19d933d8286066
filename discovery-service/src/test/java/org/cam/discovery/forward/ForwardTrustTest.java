package org.cam.discovery.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PfxOptions;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.cam.discovery.device.DeviceRegistry;
import org.cam.discovery.support.FakeFleet;
import org.cam.discovery.support.Metrics;
import org.cam.testsupport.tls.TestCertificate;
import org.cam.discovery.udp.UdpEndpoint;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.junit.jupiter.api.Test;

/**
 * The TLS registry's configuration "management" (quarkus.tls.management.trust-store.pem.certs, which
 * QUARKUS_TLS__MANAGEMENT__TRUST_STORE_PEM_CERTS sets) against a real HTTPS stand-in of management-api on loopback:
 * the trust file holds management-api's self-signed certificate and a second, trusted certificate issued for another
 * host name. A foreign certificate and the trusted one for the wrong name are refused (counted as failures, the
 * device stays queued); management-api's certificate gets the device delivered.
 */
@QuarkusTest
@TestProfile(ForwardTrustTest.Trust.class)
class ForwardTrustTest {

    /** Made once per JVM (Quarkus may load this class in more than one class loader): port and key material. */
    static final int API_PORT = Integer.parseInt((String) System.getProperties()
            .computeIfAbsent("cam.test.trust-port", k -> Integer.toString(freePort())));
    static final Path DIR = Path.of((String) System.getProperties()
            .computeIfAbsent("cam.test.trust-dir", k -> certificates()));

    public static class Trust implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "cam.discovery.forward.enabled", "true",
                    "cam.discovery.forward.url", "https://127.0.0.1:" + API_PORT,
                    "quarkus.tls.management.trust-store.pem.certs", DIR.resolve("trusted.pem").toString(),
                    "cam.discovery.forward.request-timeout", "2s");
        }
    }

    private static String certificates() {
        try {
            Path dir = Files.createTempDirectory("cam-forward-trust");
            TestCertificate api = TestCertificate.create("localhost", "127.0.0.1");
            TestCertificate otherHost = TestCertificate.create("elsewhere.test", null);
            TestCertificate foreign = TestCertificate.create("localhost", "127.0.0.1");
            dir.toFile().deleteOnExit(); // after its files: deleteOnExit runs in reverse order
            Map<String, byte[]> files = Map.of("api.p12", api.pkcs12(), "other-host.p12", otherHost.pkcs12(),
                    "foreign.p12", foreign.pkcs12(), "trusted.pem", (api.pem() + otherHost.pem()).getBytes());
            for (var f : files.entrySet()) {
                Files.write(dir.resolve(f.getKey()), f.getValue()).toFile().deleteOnExit();
            }
            return dir.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Inject
    UdpEndpoint endpoint;

    @Inject
    DeviceRegistry registry;

    @Inject
    ForwardQueue queue;

    @Inject
    MeterRegistry meters;

    @Inject
    TlsConfigurationRegistry tls;

    final List<String> received = new CopyOnWriteArrayList<>();

    @Test
    void onlyTheTrustedCertificateForTheRightHostGetsTheDevice() throws Exception {
        // The file reached the client through the registry: both of its certificates are in the trust store.
        assertThat(tls.get(Forwarder.TLS_CONFIGURATION).orElseThrow().getTrustStore().size()).isEqualTo(2);
        Vertx vertx = Vertx.vertx();
        try (FakeFleet fleet = new FakeFleet(DiscoveryCodec.unsigned())) {
            await().until(endpoint::isBound);
            FakeFleet.Device device = fleet.add(FakeFleet.info(900, "127.0.7.1", "1.0.0", 1), "127.0.7.1", 0,
                    false, 0);

            HttpServer server = serve(vertx, "foreign.p12");
            device.announceTo("127.0.0.1", endpoint.localPort());
            await().until(() -> registry.size() == 1);
            refused(server);

            server = serve(vertx, "other-host.p12");
            refused(server);

            double sentBefore = Metrics.counter(meters, "cam.discovery.forward.sent");
            serve(vertx, "api.p12");
            await().atMost(Duration.ofSeconds(15)).until(() -> queue.depth() == 0);
            assertThat(received).containsExactly(device.id());
            assertThat(Metrics.counter(meters, "cam.discovery.forward.sent")).isEqualTo(sentBefore + 1);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    /** Two more failed attempts while this server is up (so at least one handshake met it), nothing delivered. */
    private void refused(HttpServer server) throws Exception {
        double failures = Metrics.counter(meters, "cam.discovery.forward.failures");
        await().atMost(Duration.ofSeconds(15))
                .until(() -> Metrics.counter(meters, "cam.discovery.forward.failures") >= failures + 2);
        assertThat(received).isEmpty();
        assertThat(queue.depth()).isEqualTo(1);
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private HttpServer serve(Vertx vertx, String keyStore) throws Exception {
        HttpServerOptions tls = new HttpServerOptions().setSsl(true).setKeyCertOptions(new PfxOptions()
                .setValue(Buffer.buffer(Files.readAllBytes(DIR.resolve(keyStore))))
                .setPassword(TestCertificate.PASSWORD));
        return vertx.createHttpServer(tls).requestHandler(req -> req.body().onSuccess(body -> {
            received.add(body.toJsonObject().getString("deviceId"));
            req.response().setStatusCode(200).end();
        })).listen(API_PORT, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
