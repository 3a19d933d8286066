package org.cam.broker.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PfxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cam.testsupport.tls.TestCertificate;

/**
 * A stand-in for the Kubernetes API server on real HTTPS (there is no cluster here): it takes the pod merge patches
 * the broker sends and records each with the bearer token it carried, and can be told to refuse the next ones. The
 * service-account files (token, CA, namespace) are written where a pod would have them mounted.
 */
public final class KubernetesApiDouble implements QuarkusTestResourceLifecycleManager {

    public static final String NAMESPACE = "cam-test";

    /** One PATCH as the API server saw it. */
    public record Patch(String path, String contentType, String authorization, JsonObject body) {
        public String deletionCost() {
            return body.getJsonObject("metadata").getJsonObject("annotations")
                    .getString("controller.kubernetes.io/pod-deletion-cost");
        }
    }

    public static final List<Patch> PATCHES = new CopyOnWriteArrayList<>();
    /** The next this-many requests get a 503, as from an API server restarting. */
    public static final AtomicInteger REFUSE_NEXT = new AtomicInteger();
    public static volatile Path tokenFile;

    private Vertx vertx;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("cam-serviceaccount");
            TestCertificate cert = TestCertificate.create("kubernetes.default.svc", "127.0.0.1");
            tokenFile = dir.resolve("token");
            Files.writeString(tokenFile, "token-1\n");
            Files.writeString(dir.resolve("ca.crt"), cert.pem());
            Files.writeString(dir.resolve("namespace"), NAMESPACE);
            vertx = Vertx.vertx();
            HttpServer server = vertx.createHttpServer(new HttpServerOptions().setSsl(true)
                    .setKeyCertOptions(new PfxOptions().setValue(Buffer.buffer(cert.pkcs12()))
                            .setPassword(TestCertificate.PASSWORD)))
                    .requestHandler(req -> req.body().onSuccess(body -> {
                        if (REFUSE_NEXT.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                            req.response().setStatusCode(503).end();
                            return;
                        }
                        if (!"PATCH".equals(req.method().name())) {
                            req.response().setStatusCode(405).end();
                            return;
                        }
                        PATCHES.add(new Patch(req.path(), req.getHeader("Content-Type"),
                                req.getHeader("Authorization"), body.toJsonObject()));
                        req.response().putHeader("Content-Type", "application/json").end("{\"kind\":\"Pod\"}");
                    }));
            int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture()
                    .get(10, TimeUnit.SECONDS).actualPort();
            return Map.of("cam.broker.pod-deletion-cost.enabled", "true",
                    "cam.broker.pod-deletion-cost.api-url", "https://127.0.0.1:" + port,
                    "cam.broker.pod-deletion-cost.token-path", tokenFile.toString(),
                    "cam.broker.pod-deletion-cost.ca-path", dir.resolve("ca.crt").toString(),
                    "cam.broker.pod-deletion-cost.namespace-path", dir.resolve("namespace").toString(),
                    "cam.broker.pod-deletion-cost.interval", "100ms",
                    "cam.broker.pod-deletion-cost.max-backoff", "400ms");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().join();
        }
    }
}
