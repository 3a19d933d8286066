package org.cam.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Each service's src/main/docker/Dockerfile.jvm: fast-jar layout, Java 17, non-root, the ports the manifests use. */
class DockerfilesTest {

    static List<String> services() {
        return ServiceSources.SERVICES;
    }

    /** Findings for one Dockerfile, given the container's ports (e.g. "8082", "3080/udp") and the pod's user id. */
    static List<String> findings(String dockerfile, Set<String> ports, long uid) {
        List<String> errors = new ArrayList<>();
        List<String> lines = dockerfile.lines().map(String::strip).filter(l -> !l.startsWith("#")).toList();
        String from = lines.stream().filter(l -> l.startsWith("FROM ")).findFirst().orElse("");
        if (!from.matches("FROM \\S*(openjdk-17|temurin:17|jre-17|java-17)\\S*.*")) {
            errors.add("base image is not a Java 17 runtime: " + from);
        }
        for (String layer : List.of("target/quarkus-app/lib/", "target/quarkus-app/*.jar", "target/quarkus-app/app/",
                "target/quarkus-app/quarkus/")) {
            if (lines.stream().noneMatch(l -> l.startsWith("COPY ") && l.contains(layer))) {
                errors.add("no COPY of the fast-jar layer " + layer);
            }
        }
        List<String> users = lines.stream().filter(l -> l.startsWith("USER ")).toList();
        if (users.isEmpty() || !users.get(users.size() - 1).equals("USER " + uid)) {
            errors.add("last USER is " + users + ", not the manifests' runAsUser " + uid);
        }
        Set<String> exposed = new TreeSet<>();
        lines.stream().filter(l -> l.startsWith("EXPOSE ")).forEach(l -> exposed.addAll(List.of(l.substring(7)
                .trim().split("\\s+"))));
        if (!exposed.equals(new TreeSet<>(ports))) {
            errors.add("EXPOSE " + exposed + " but the container ports are " + new TreeSet<>(ports));
        }
        if (lines.stream().noneMatch(l -> l.contains("quarkus-run.jar"))) {
            errors.add("does not run quarkus-run.jar");
        }
        return errors;
    }

    static Set<String> containerPorts(JsonNode ctr) {
        Set<String> ports = new TreeSet<>();
        for (JsonNode p : ctr.path("ports")) {
            String proto = p.path("protocol").asText("TCP");
            ports.add(p.path("containerPort").asText() + (proto.equals("TCP") ? "" : "/" + proto.toLowerCase()));
        }
        return ports;
    }

    @ParameterizedTest
    @MethodSource("services")
    void matchesTheManifests(String service) throws Exception {
        Manifests m = Workspace.get().render("overlays/production");
        JsonNode pod = m.find("Deployment", service).orElseThrow().path("spec").path("template").path("spec");
        JsonNode ctr = null;
        for (JsonNode c : pod.path("containers")) {
            if (c.path("name").asText().equals(service)) {
                ctr = c;
            }
        }
        assertThat(ctr).as(service + " container").isNotNull();
        Path dockerfile = ServiceSources.root().resolve(service).resolve("src/main/docker/Dockerfile.jvm");
        assertThat(dockerfile).exists();
        long uid = ctr.path("securityContext").path("runAsUser").asLong(pod.path("securityContext").path("runAsUser")
                .asLong(-1));
        assertThat(findings(Files.readString(dockerfile), containerPorts(ctr), uid)).isEmpty();
    }

    @Test
    void aBrokenDockerfileIsCaught() throws Exception {
        String broken = new String(DockerfilesTest.class.getResourceAsStream("/broken-dockerfile/Dockerfile.jvm")
                .readAllBytes());
        List<String> f = findings(broken, Set.of("8082", "9900"), 185);
        assertThat(f).anySatisfy(x -> assertThat(x).contains("not a Java 17 runtime"))
                .anySatisfy(x -> assertThat(x).contains("target/quarkus-app/quarkus/"))
                .anySatisfy(x -> assertThat(x).contains("not the manifests' runAsUser 185"))
                .anySatisfy(x -> assertThat(x).contains("EXPOSE [8082]"));
    }

}
