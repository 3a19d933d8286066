package org.cam.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each folder of src/test/resources/broken is the production overlay with one deliberate mistake, and a file
 * `expect`: the check that must catch it and a piece of its message. The test also requires every other check to
 * stay quiet, so each fixture proves its check can fail and that the checks do not overlap by accident.
 */
class BrokenFixturesTest {

    static Path fixtures() throws URISyntaxException {
        return Path.of(BrokenFixturesTest.class.getResource("/broken").toURI());
    }

    static Stream<String> broken() throws IOException, URISyntaxException {
        try (Stream<Path> s = Files.list(fixtures())) {
            return s.map(p -> p.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("broken")
    void isCaughtByItsCheckOnly(String name) throws Exception {
        List<String> expect = Files.readAllLines(fixtures().resolve(name).resolve("expect"));
        String check = expect.get(0).strip();
        String message = expect.get(1).strip();
        Workspace ws = Workspace.get();
        ws.install(fixtures().resolve(name), "overlays/broken-" + name);
        if (check.equals("render")) {
            assertThatThrownBy(() -> ws.render("overlays/broken-" + name))
                    .isInstanceOf(Kubectl.RenderException.class).hasMessageContaining(message);
            return;
        }
        Map<String, List<String>> findings = Checks.run(ws.context("overlays/broken-" + name));
        assertThat(findings.keySet()).as("checks that fired for " + name + ": " + findings).containsExactly(check);
        assertThat(findings.get(check)).anySatisfy(f -> assertThat(f).contains(message));
    }

    @Test
    void everyCheckHasABrokenFixture() throws Exception {
        Set<String> covered = new TreeSet<>();
        for (String name : broken().toList()) {
            covered.add(Files.readAllLines(fixtures().resolve(name).resolve("expect")).get(0).strip());
        }
        assertThat(covered).containsAll(Checks.ALL.keySet()).contains("render");
    }
}
