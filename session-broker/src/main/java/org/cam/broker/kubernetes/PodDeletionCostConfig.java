package org.cam.broker.kubernetes;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The pod-deletion-cost annotation this replica keeps on its own pod (prefix {@code cam.broker.pod-deletion-cost};
 * env {@code CAM_BROKER_POD_DELETION_COST_*}). Off outside Kubernetes; the manifests turn it on and mount the
 * service-account token, its CA and the namespace at the paths below (the in-cluster defaults).
 */
@ConfigMapping(prefix = "cam.broker.pod-deletion-cost")
public interface PodDeletionCostConfig {

    @WithDefault("false")
    boolean enabled();

    /** The pod to annotate; the broker id when unset (the manifests set that to the pod name). */
    Optional<String> podName();

    /** The pod's namespace; read from {@link #namespacePath()} when unset. */
    Optional<String> namespace();

    @WithDefault("https://kubernetes.default.svc")
    String apiUrl();

    /** Re-read before every request: a projected service-account token is rotated by the kubelet. */
    @WithDefault("/var/run/secrets/kubernetes.io/serviceaccount/token")
    String tokenPath();

    @WithDefault("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt")
    String caPath();

    @WithDefault("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
    String namespacePath();

    /** How often the session count is compared with the annotation; a request goes only when they differ. */
    @WithDefault("2s")
    Duration interval();

    /** The longest wait between retries after the API server refused or failed (jittered, doubling). */
    @WithDefault("60s")
    Duration maxBackoff();
}
