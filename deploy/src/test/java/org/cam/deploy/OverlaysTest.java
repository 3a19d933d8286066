package org.cam.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every overlay (and the optional components) renders, is schema-valid and passes every cross-reference check. */
class OverlaysTest {

    static Stream<String> overlays() {
        return Stream.of("overlays/dev", "overlays/production", "overlays/production-options",
                "overlays/dev-external-db");
    }

    @BeforeAll
    static void installCombinations() throws URISyntaxException {
        Path combos = Path.of(OverlaysTest.class.getResource("/combos").toURI());
        Workspace.get().install(combos.resolve("production-options"), "overlays/production-options");
        Workspace.get().install(combos.resolve("dev-external-db"), "overlays/dev-external-db");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void passesEveryCheck(String overlay) {
        Checks.Context c = Workspace.get().context(overlay);
        Map<String, List<String>> findings = Checks.run(c);
        assertThat(findings).as("findings in " + overlay).isEmpty();
    }

    @Test
    void productionHasWhatTheIssueAsksFor() {
        Manifests m = Workspace.get().render("overlays/production");
        assertThat(m.objects()).allSatisfy(o -> {
            if (!Manifests.kind(o).equals("Namespace")) {
                assertThat(o.path("metadata").path("namespace").asText()).as(Manifests.id(o)).isEqualTo("cam");
            }
        });
        assertThat(m.find("Deployment", "management-api").orElseThrow().path("spec").path("replicas").asInt())
                .isEqualTo(2);
        assertThat(m.find("HorizontalPodAutoscaler", "session-broker").orElseThrow().path("spec")
                .path("minReplicas").asInt()).isGreaterThanOrEqualTo(2);
        assertThat(m.find("Deployment", "discovery-service-l2").orElseThrow().path("spec").path("template")
                .path("spec").path("hostNetwork").asBoolean()).isTrue();
        var monitor = m.find("Deployment", "replication-monitor").orElseThrow().path("spec");
        assertThat(monitor.path("replicas").asInt()).isEqualTo(1);
        assertThat(monitor.path("strategy").path("type").asText()).isEqualTo("Recreate");
        assertThat(m.find("StatefulSet", "cam-mysql").orElseThrow().path("spec").path("replicas").asInt()).isEqualTo(2);
        assertThat(m.ofKind("ServiceMonitor")).hasSize(4);
        var hpa = m.find("HorizontalPodAutoscaler", "session-broker").orElseThrow().path("spec");
        assertThat(hpa.path("metrics").toString()).contains("cam_broker_active_sessions", "\"cpu\"");
        assertThat(hpa.path("behavior").path("scaleDown").path("stabilizationWindowSeconds").asInt())
                .isGreaterThanOrEqualTo(300);
    }

    /** Plain RFB (screen and keys in cleartext) is not published by production; the plain-rfb component opts in. */
    @Test
    void productionPublishesOnlyTheEncryptedBrokerListeners() {
        Manifests prod = Workspace.get().render("overlays/production");
        assertThat(brokerPorts(prod)).containsExactlyInAnyOrder("901", "902");
        assertThat(brokerIngress(prod)).doesNotContain("9900").contains("9901", "9902");
        Manifests dev = Workspace.get().render("overlays/dev");
        assertThat(brokerPorts(dev)).as("dev opts in with components/plain-rfb").containsExactlyInAnyOrder("900",
                "901", "902");
        assertThat(brokerIngress(dev)).contains("9900", "9901", "9902");
    }

    static List<String> brokerPorts(Manifests m) {
        return m.find("Service", "session-broker").orElseThrow().path("spec").path("ports").findValuesAsText("port");
    }

    static List<String> brokerIngress(Manifests m) {
        return m.find("NetworkPolicy", "session-broker").orElseThrow().path("spec").path("ingress")
                .findValuesAsText("port");
    }

    @Test
    void theOptionalComponentsDoWhatTheySay() {
        Manifests keda = Workspace.get().render("overlays/production-options");
        assertThat(keda.ofKind("HorizontalPodAutoscaler")).as("KEDA owns the HPA").isEmpty();
        assertThat(keda.ofKind("ScaledObject")).hasSize(1);
        assertThat(keda.ofKind("Ingress")).hasSize(1);
        assertThat(keda.find("PersistentVolumeClaim", "cam-firmware")).isPresent();
        var volumes = keda.find("Deployment", "management-api").orElseThrow().path("spec").path("template")
                .path("spec").path("volumes");
        assertThat(volumes.findValuesAsText("claimName")).containsExactly("cam-firmware", "cam-recordings");
        assertThat(volumes.toString()).as("the firmware volume, not another one, became the claim")
                .contains("{\"name\":\"firmware\",\"persistentVolumeClaim\"");
        // Session recording: one shared claim for brokers (writing) and management-api (reading), the broker's
        // spool an emptyDir whose limit is above the spool budget the broker is given.
        assertThat(keda.find("PersistentVolumeClaim", "cam-recordings").orElseThrow().path("spec")
                .path("accessModes").toString()).contains("ReadWriteMany");
        var broker = keda.find("Deployment", "session-broker").orElseThrow().path("spec").path("template")
                .path("spec");
        assertThat(broker.path("volumes").findValuesAsText("claimName")).containsExactly("cam-recordings");
        String spoolLimit = null;
        for (var v : broker.path("volumes")) {
            if (v.path("name").asText().equals("recording-spool")) {
                spoolLimit = v.path("emptyDir").path("sizeLimit").asText();
            }
        }
        assertThat(spoolLimit).isEqualTo("1Gi");
        var env = broker.path("containers").get(0).path("env");
        long spoolBudget = 0;
        for (var e : env) {
            if (e.path("name").asText().equals("CAM_BROKER_RECORDING_SPOOL_MAX_BYTES")) {
                spoolBudget = Long.parseLong(e.path("value").asText());
            }
        }
        assertThat(spoolBudget).isPositive().isLessThan(1L << 30);
        assertThat(env.toString()).contains("CAM_RECORDINGS_DIR");
        assertThat(keda.find("Deployment", "management-api").orElseThrow().path("spec").path("template")
                .path("spec").path("containers").get(0).path("env").toString()).contains("CAM_RECORDINGS_DIR");
        Manifests ext = Workspace.get().render("overlays/dev-external-db");
        assertThat(ext.ofKind("StatefulSet")).isEmpty();
        assertThat(ext.find("Deployment", "replication-monitor")).isEmpty();
        assertThat(ext.find("Service", "cam-db-primary").orElseThrow().path("spec").path("type").asText())
                .isEqualTo("ExternalName");
    }

    @Test
    void theSecretsAndTheAdapterRulesAreSchemaValidToo() {
        assertThat(StrictValidator.validate(Workspace.get().render("secrets"))).isEmpty();
        assertThat(StrictValidator.validate(Workspace.get().render("addons/prometheus-adapter"))).isEmpty();
    }

    @Test
    void aMissingKubectlFailsLoudly() {
        assertThatThrownBy(() -> Kubectl.binary(Map.of("PATH", "/nonexistent-cam-test"), List.of()))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("kubectl is NOT INSTALLED");
        assertThatThrownBy(() -> Kubectl.binary(Map.of("KUBECTL", "/nonexistent/kubectl"), List.of()))
                .hasMessageContaining("/nonexistent/kubectl");
    }
}
