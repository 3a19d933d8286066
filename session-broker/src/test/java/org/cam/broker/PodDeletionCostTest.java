package org.cam.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cam.broker.listener.Listeners;
import org.cam.broker.support.BrokerTestResource;
import org.cam.broker.support.Devices;
import org.cam.broker.support.KubernetesApiDouble;
import org.cam.broker.support.KubernetesApiDouble.Patch;
import org.cam.simulator.rfb.RfbChannelServer;
import org.cam.testsupport.rfb.RfbTestClient;
import org.junit.jupiter.api.Test;

/**
 * The broker keeps its pod's deletion cost at its active session count, against a stand-in for the Kubernetes API
 * server on real HTTPS: one merge patch per change of the count, to its own pod, with the service-account token as it
 * is on disk at the time, and retried after the API server refused.
 */
@QuarkusTest
@TestProfile(PodDeletionCostTest.InAPod.class)
class PodDeletionCostTest {

    /** The broker as the manifests run it: pod deletion cost on, service-account files mounted. */
    public static class InAPod implements QuarkusTestProfile {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(KubernetesApiDouble.class));
        }
    }

    @Inject
    Listeners listeners;

    @Test
    void theAnnotationFollowsTheSessionCountOnTheBrokersOwnPod() throws Exception {
        // Idle replica: cost 0 as soon as it starts.
        await().atMost(Duration.ofSeconds(20)).until(() -> lastCost().equals("0"));
        Patch first = KubernetesApiDouble.PATCHES.get(0);
        assertThat(first.path()).isEqualTo("/api/v1/namespaces/" + KubernetesApiDouble.NAMESPACE + "/pods/broker-test");
        assertThat(first.contentType()).startsWith("application/merge-patch+json");
        assertThat(first.authorization()).isEqualTo("Bearer token-1");
        assertThat(first.body().getJsonObject("metadata").fieldNames()).containsExactly("annotations");

        // The kubelet rotates a projected token: the next patch carries the new one.
        Files.writeString(KubernetesApiDouble.tokenFile, "token-2\n");
        List<RfbTestClient> clients = new ArrayList<>();
        List<RfbChannelServer> devices = new ArrayList<>();
        try {
            for (int i = 1; i <= 2; i++) {
                RfbChannelServer device = Devices.start(BrokerTestResource.vertx, "devsecret", "pod-cost-" + i);
                devices.add(device);
                String otp = "cost000" + i;
                BrokerTestResource.management.add("cost-" + i + "-" + System.nanoTime(), otp, "CONTROL",
                        Devices.HOST, device.port(), "devsecret", 0);
                RfbTestClient c = RfbTestClient.tcp("127.0.0.1", listeners.plainPort());
                clients.add(c);
                assertThat(c.handshake(otp)).isTrue();
                c.serverInit();
                String expected = String.valueOf(i);
                await().atMost(Duration.ofSeconds(10)).until(() -> lastCost().equals(expected));
            }
            assertThat(KubernetesApiDouble.PATCHES.get(KubernetesApiDouble.PATCHES.size() - 1).authorization())
                    .isEqualTo("Bearer token-2");

            // The API server refuses for a while: the broker keeps relaying and sets the cost once it answers again.
            KubernetesApiDouble.REFUSE_NEXT.set(3);
            clients.remove(1).close();
            await().atMost(Duration.ofSeconds(10)).until(() -> KubernetesApiDouble.REFUSE_NEXT.get() == 0
                    && lastCost().equals("1"));
        } finally {
            for (RfbTestClient c : clients) {
                c.close();
            }
            for (RfbChannelServer d : devices) {
                d.stop().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> lastCost().equals("0"));
        // One patch per change: the sequence of costs never repeats a value back to back.
        List<String> costs = KubernetesApiDouble.PATCHES.stream().map(Patch::deletionCost).toList();
        for (int i = 1; i < costs.size(); i++) {
            assertThat(costs.get(i)).as("patch %d of %s", i, costs).isNotEqualTo(costs.get(i - 1));
        }
        assertThat(costs).containsSubsequence("0", "1", "2", "1", "0");
    }

    private static String lastCost() {
        List<Patch> p = KubernetesApiDouble.PATCHES;
        return p.isEmpty() ? "" : p.get(p.size() - 1).deletionCost();
    }
}
