package org.cam.discovery.forward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.cam.discovery.device.DeviceRegistry;
import org.cam.discovery.support.FakeFleet;
import org.cam.discovery.support.Metrics;
import org.cam.discovery.udp.UdpEndpoint;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Forwarding against a real HTTP server standing in for management-api's POST /api/v1/internal/discoveries,
 * which the test takes down and brings back.
 */
@QuarkusTest
@TestProfile(ForwardingTest.Forwarding.class)
class ForwardingTest {

    static final int CAPACITY = 20;
    static final String TOKEN = "test-service-token";

    /**
     * Picked before Quarkus starts; the stand-in server binds it later (and again after each outage). Kept in a
     * system property because Quarkus may load this class (and the profile) in more than one class loader.
     */
    static final int API_PORT = Integer.parseInt((String) System.getProperties()
            .computeIfAbsent("cam.test.forward-port", k -> Integer.toString(freePort())));

    public static class Forwarding implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "cam.discovery.forward.enabled", "true",
                    "cam.discovery.forward.url", "http://127.0.0.1:" + API_PORT,
                    "cam.discovery.forward.token", TOKEN,
                    "cam.discovery.forward.queue-capacity", Integer.toString(CAPACITY),
                    "cam.discovery.forward.request-timeout", "2s");
        }
    }

    record Received(String auth, JsonObject body) {
    }

    static Vertx vertx;
    static FakeFleet fleet;
    final List<Received> received = new CopyOnWriteArrayList<>();
    /** Status to answer per device id (default 200); a queue of statuses is consumed one per request. */
    final Map<String, java.util.Deque<Integer>> scripted = new java.util.concurrent.ConcurrentHashMap<>();
    final List<String> attempts = new CopyOnWriteArrayList<>();
    HttpServer api;

    @Inject
    UdpEndpoint endpoint;

    @Inject
    DeviceRegistry registry;

    @Inject
    ForwardQueue queue;

    @Inject
    MeterRegistry meters;

    @BeforeAll
    static void setUp() throws IOException {
        vertx = Vertx.vertx();
        fleet = new FakeFleet(DiscoveryCodec.unsigned());
    }

    @AfterAll
    static void tearDown() throws Exception {
        fleet.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @BeforeEach
    void clean() {
        await().until(endpoint::isBound);
        await().until(() -> queue.depth() == 0);
        registry.clear();
        received.clear();
        attempts.clear();
        scripted.clear();
    }

    @AfterEach
    void apiDown() throws Exception {
        down();
    }

    void up() throws Exception {
        api = vertx.createHttpServer().requestHandler(req -> {
            if (!req.method().name().equals("POST") || !req.path().equals("/api/v1/internal/discoveries")) {
                req.response().setStatusCode(404).end();
                return;
            }
            req.body().onSuccess(buf -> {
                JsonObject body = buf.toJsonObject();
                attempts.add(body.getString("deviceId"));
                java.util.Deque<Integer> script = scripted.get(body.getString("deviceId"));
                Integer status = script == null ? null : script.poll();
                if (status != null) {
                    req.response().setStatusCode(status).end();
                    return;
                }
                received.add(new Received(req.getHeader("Authorization"), body));
                req.response().setStatusCode(200).putHeader("content-type", "application/json")
                        .end("{\"status\":\"applied\"}");
            });
        });
        api.listen(API_PORT, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    void down() throws Exception {
        if (api != null) {
            api.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            api = null;
        }
    }

    private List<FakeFleet.Device> devices(int firstN, int count, String subnet) throws IOException {
        List<FakeFleet.Device> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String a = subnet + (1 + i);
            out.add(fleet.add(FakeFleet.info(firstN + i, a, "1.0.0", 1), a, 0, false, 0));
        }
        return out;
    }

    private void announceAll(List<FakeFleet.Device> ds) throws IOException {
        for (FakeFleet.Device d : ds) {
            d.announceTo("127.0.0.1", endpoint.localPort());
        }
    }

    private Map<String, Long> countsById() {
        return received.stream().collect(Collectors.groupingBy(r -> r.body().getString("deviceId"),
                Collectors.counting()));
    }

    @Test
    void everyChangeIsForwardedExactlyOnceAcrossAnOutage() throws Exception {
        List<FakeFleet.Device> ds = devices(500, 10, "127.0.4.");
        double coalescedBefore = Metrics.counter(meters, "cam.discovery.forward.coalesced");
        double failuresBefore = Metrics.counter(meters, "cam.discovery.forward.failures");

        // management-api is down: new devices, then a firmware change on half of them while still queued.
        announceAll(ds);
        await().until(() -> registry.size() == 10 && queue.depth() == 10);
        for (int i = 0; i < 5; i++) {
            ds.get(i).update(FakeFleet.info(500 + i, "127.0.4." + (1 + i), "2.0.0", 2));
        }
        announceAll(ds.subList(0, 5));
        await().until(() -> Metrics.counter(meters, "cam.discovery.forward.coalesced") >= coalescedBefore + 5);
        assertThat(queue.depth()).isEqualTo(10);
        await().until(() -> Metrics.counter(meters, "cam.discovery.forward.failures") > failuresBefore);
        assertThat(received).isEmpty();

        up();
        await().atMost(Duration.ofSeconds(15)).until(() -> received.size() >= 10 && queue.depth() == 0);
        Map<String, JsonObject> byId = received.stream().collect(Collectors.toMap(
                r -> r.body().getString("deviceId"), Received::body));
        assertThat(received).hasSize(10); // toMap above also fails on a duplicate
        assertThat(received).allSatisfy(r -> assertThat(r.auth()).isEqualTo("Bearer " + TOKEN));
        for (FakeFleet.Device d : ds) {
            JsonObject body = byId.get(d.id());
            assertThat(body.getString("firmwareVersion")).isEqualTo(d.info().firmwareVersion());
            assertThat(body.getLong("bootCounter")).isEqualTo(d.info().bootCounter());
            assertThat(body.getLong("version")).isEqualTo(registry.find(d.id()).orElseThrow().version());
            assertThat(body.getString("address")).isEqualTo(d.info().address().getHostAddress());
            assertThat(body.getString("heardVia")).isEqualTo("UNICAST_ANNOUNCE");
        }

        // While up: a repeat is not a change; a new boot counter is. FIFO order makes the marker prove the
        // repeat produced nothing.
        ds.get(7).announceTo("127.0.0.1", endpoint.localPort());
        ds.get(8).update(FakeFleet.info(508, "127.0.4.9", "1.0.0", 3));
        ds.get(8).announceTo("127.0.0.1", endpoint.localPort());
        await().until(() -> received.size() >= 11 && queue.depth() == 0);
        assertThat(received).hasSize(11);
        assertThat(received.get(10).body().getString("deviceId")).isEqualTo(ds.get(8).id());
        assertThat(received.get(10).body().getLong("bootCounter")).isEqualTo(3);
        assertThat(countsById()).containsEntry(ds.get(8).id(), 2L).containsEntry(ds.get(7).id(), 1L);
    }

    @Test
    void whenTheBoundIsHitTheLossIsCounted() throws Exception {
        List<FakeFleet.Device> ds = devices(600, CAPACITY + 5, "127.0.5.");
        double droppedBefore = queue.droppedCount();

        announceAll(ds);
        await().until(() -> registry.size() == CAPACITY + 5);
        assertThat(queue.depth()).isEqualTo(CAPACITY);
        assertThat(queue.droppedCount() - droppedBefore).isEqualTo(5);
        assertThat(Metrics.counter(meters, "cam.discovery.forward.dropped") - droppedBefore).isEqualTo(5);

        up();
        await().atMost(Duration.ofSeconds(15)).until(() -> received.size() >= CAPACITY && queue.depth() == 0);
        assertThat(received).hasSize(CAPACITY);
        assertThat(countsById()).hasSize(CAPACITY).allSatisfy((id, n) -> assertThat(n).isEqualTo(1L));
        List<String> ids = ds.stream().map(FakeFleet.Device::id).toList();
        assertThat(countsById().keySet()).allSatisfy(id -> assertThat(ids).contains(id));
    }

    @Test
    void transientErrorsAreRetriedAndAWrongNoticeIsDroppedWithoutBlockingTheRest() throws Exception {
        List<FakeFleet.Device> ds = devices(700, 3, "127.0.6.");
        // Device 0: management-api is overloaded twice, then takes it. Device 1: 422, the notice is refused.
        scripted.put(ds.get(0).id(), new java.util.ArrayDeque<>(List.of(503, 503)));
        scripted.put(ds.get(1).id(), new java.util.ArrayDeque<>(List.of(422)));
        double rejectedBefore = Metrics.counter(meters, "cam.discovery.forward.rejected");
        up();
        announceAll(ds);
        await().atMost(Duration.ofSeconds(15)).until(() -> received.size() >= 2 && queue.depth() == 0);
        assertThat(countsById()).containsOnlyKeys(ds.get(0).id(), ds.get(2).id());
        assertThat(attempts.stream().filter(ds.get(0).id()::equals)).hasSize(3);
        assertThat(attempts.stream().filter(ds.get(1).id()::equals)).hasSize(1);
        assertThat(Metrics.counter(meters, "cam.discovery.forward.rejected") - rejectedBefore).isEqualTo(1);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

}
