package org.cam.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs `kubectl kustomize`. A machine without kubectl fails every test that renders, loudly: never a silent pass. */
final class Kubectl {

    private static final List<Path> CANDIDATES = List.of(Path.of("/usr/bin/kubectl"), Path.of("/usr/local/bin/kubectl"),
            Path.of("/snap/bin/kubectl"));

    private Kubectl() {
    }

    static Path binary() {
        return binary(System.getenv(), CANDIDATES);
    }

    /** kubectl from $KUBECTL, else $PATH, else the usual places; an AssertionError that says so loudly when absent. */
    static Path binary(java.util.Map<String, String> environment, List<Path> candidates) {
        List<Path> tried = new ArrayList<>();
        String env = environment.get("KUBECTL");
        if (env != null && !env.isBlank()) {
            tried.add(Path.of(env));
        }
        String pathVar = environment.get("PATH");
        if (pathVar != null) {
            for (String dir : pathVar.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    tried.add(Path.of(dir, "kubectl"));
                }
            }
        }
        tried.addAll(candidates);
        for (Path p : tried) {
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new AssertionError("""

                ************************************************************************************************
                kubectl is NOT INSTALLED: the Kubernetes manifests in deploy/ cannot be rendered or validated.
                Install it (e.g. `apt-get install -y kubectl` from the Kubernetes apt repository, or a kubectl
                binary on PATH), or point KUBECTL at one. Looked in: %s
                ************************************************************************************************
                """.formatted(tried));
    }

    /** The rendered YAML of one kustomization directory; an AssertionError with kubectl's message if it fails. */
    static String kustomize(Path dir) {
        try {
            Path out = Files.createTempFile("kustomize", ".yaml");
            Path err = Files.createTempFile("kustomize", ".err");
            try {
                Process p = new ProcessBuilder(binary().toString(), "kustomize", dir.toString())
                        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
                if (!p.waitFor(120, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("kubectl kustomize " + dir + " did not finish within 120 s");
                }
                if (p.exitValue() != 0) {
                    String msg = Files.readString(err, StandardCharsets.UTF_8);
                    throw new RenderException("kubectl kustomize " + dir + " failed (exit " + p.exitValue() + "): "
                            + msg.lines().limit(5).reduce("", (a, b) -> a + "\n  " + b));
                }
                return Files.readString(out, StandardCharsets.UTF_8);
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run kubectl: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static final class RenderException extends AssertionError {
        RenderException(String message) {
            super(message);
        }
    }
}
