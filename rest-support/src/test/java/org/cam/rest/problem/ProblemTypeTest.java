package org.cam.rest.problem;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemTypeTest {

    /** The page every type URI points a reader to: one section per type, named as the URI ends. */
    @Test
    void everyTypeIsExplainedInTheDocsAndNothingElseIs() throws IOException {
        List<String> lines = Files.readAllLines(Path.of("..", "docs", "problems.md"));
        Set<String> sections = lines.stream().filter(l -> l.startsWith("## ")).map(l -> l.substring(3).trim())
                .collect(Collectors.toSet());
        Set<String> types = Arrays.stream(ProblemType.values()).map(ProblemType::slug).collect(Collectors.toSet());
        assertThat(sections).containsExactlyInAnyOrderElementsOf(types);
        for (ProblemType t : ProblemType.values()) {
            assertThat(t.uri()).isEqualTo("https://cam.test/problems/" + t.slug());
            assertThat(t.slug()).matches("[a-z]+(-[a-z]+)*");
        }
    }

    @Test
    void aTitleNamesItsTypeAndAnUnknownTitleFallsBackToItsStatus() {
        assertThat(ProblemType.of(400, "Validation failed")).isEqualTo(ProblemType.VALIDATION_FAILED);
        assertThat(ProblemType.of(400, "validation FAILED")).isEqualTo(ProblemType.VALIDATION_FAILED);
        assertThat(ProblemType.of(400, "Invalid request")).isEqualTo(ProblemType.BAD_REQUEST);
        assertThat(ProblemType.of(404, "Session not on this broker")).isEqualTo(ProblemType.NOT_FOUND);
        assertThat(ProblemType.of(409, null)).isEqualTo(ProblemType.CONFLICT);
        assertThat(ProblemType.of(418, "I'm a teapot")).isEqualTo(ProblemType.BAD_REQUEST);
        assertThat(ProblemType.of(507, "Insufficient Storage")).isEqualTo(ProblemType.INTERNAL_SERVER_ERROR);
        // a title from another status does not change the type of this one
        assertThat(ProblemType.of(409, "Not Found")).isEqualTo(ProblemType.CONFLICT);
    }

    @Test
    void aProblemExceptionCarriesItsTypeFieldAndRetryAfter() {
        ProblemException e = ProblemException.unavailable("database between primaries", 2);
        Problem p = e.problem("/api/v1/targets");
        assertThat(p.type()).isEqualTo("https://cam.test/problems/service-unavailable");
        assertThat(p.title()).isEqualTo("Service Unavailable");
        assertThat(p.status()).isEqualTo(503);
        assertThat(p.instance()).isEqualTo("/api/v1/targets");
        assertThat(e.problem(null).toResponse(e.retryAfterSeconds()).getHeaderString("Retry-After")).isEqualTo("2");
        assertThat(ProblemException.badRequest("port", "port must be 1..65535").problem(null).field())
                .isEqualTo("port");
    }
}
