package org.cam.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A private copy of deploy/kubernetes in a temporary folder (so generated secrets and broken fixtures never touch
 * the checkout), with real secrets made by deploy/generate-secrets.sh, and renderings cached per directory.
 */
final class Workspace {

    private static Workspace instance;

    final Path deployDir;
    final Path root;
    private final Map<String, Manifests> rendered = new ConcurrentHashMap<>();

    static synchronized Workspace get() {
        if (instance == null) {
            instance = new Workspace();
        }
        return instance;
    }

    private Workspace() {
        deployDir = Path.of(System.getProperty("cam.deploy.dir", ".")).toAbsolutePath().normalize();
        try {
            root = Files.createTempDirectory("cam-deploy-test");
            copyTree(deployDir.resolve("kubernetes"), root);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(root)));
            generateSecrets(root.resolve("secrets/generated"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void generateSecrets(Path out) {
        try {
            Path log = Files.createTempFile("generate-secrets", ".log");
            ProcessBuilder pb = new ProcessBuilder("bash", deployDir.resolve("generate-secrets.sh").toString(), "--out",
                    out.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
            // keytool from the JDK running the build, even when that JDK's bin is not on PATH.
            pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + java.io.File.pathSeparator
                    + System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("generate-secrets.sh did not finish within 120 s");
            }
            String text = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            if (p.exitValue() != 0) {
                throw new AssertionError("generate-secrets.sh failed (exit " + p.exitValue() + "):\n" + text);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Renders a kustomization directory relative to the copy (e.g. "overlays/production"), once. */
    Manifests render(String relative) {
        return rendered.computeIfAbsent(relative,
                r -> Manifests.parse(r, Kubectl.kustomize(root.resolve(r))));
    }

    /** Copies a test fixture folder into the copy at a relative path (e.g. overlays/broken-x), replacing it. */
    void install(Path fixture, String relative) {
        Path target = root.resolve(relative);
        deleteTree(target);
        copyTree(fixture, target);
        rendered.remove(relative);
    }

    Checks.Context context(String overlay) {
        return new Checks.Context(render(overlay), render("secrets"), render("addons/prometheus-adapter"));
    }

    static void copyTree(Path from, Path to) {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else if (!p.toString().contains("/secrets/generated/")) {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
