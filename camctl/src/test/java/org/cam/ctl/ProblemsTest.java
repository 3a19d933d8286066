package org.cam.ctl;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProblemsTest {

    @Test
    void statusesMapToTheDocumentedExitCodes() {
        assertThat(Problems.exitCode(404)).isEqualTo(3);
        assertThat(Problems.exitCode(409)).isEqualTo(4);
        assertThat(Problems.exitCode(400)).isEqualTo(2);
        assertThat(Problems.exitCode(422)).isEqualTo(2);
        assertThat(Problems.exitCode(401)).isEqualTo(5);
        assertThat(Problems.exitCode(403)).isEqualTo(5);
        assertThat(Problems.exitCode(502)).isEqualTo(1);
        assertThat(Problems.exitCode(500)).isEqualTo(1);
        assertThat(Problems.exitCode(503)).isEqualTo(1);
    }

    @Test
    void aProblemPrintsItsTitleStatusDetailAndField() {
        String body = """
                {"type":"https://cam.test/problems/conflict","title":"Conflict","status":409,
                 "detail":"a grant for this group and target set exists","instance":"/api/v1/grants",
                 "field":"targetSetId"}""";
        assertThat(Problems.message(409, body))
                .isEqualTo("Conflict (409): a grant for this group and target set exists [field: targetSetId]");
    }

    @Test
    void aProblemWithoutDetailOrFieldPrintsWhatItHas() {
        assertThat(Problems.message(404, "{\"title\":\"Not Found\",\"status\":404}")).isEqualTo("Not Found (404)");
    }

    @Test
    void anAnswerThatIsNoProblemPrintsTheHttpStatusAndBody() {
        assertThat(Problems.message(502, "<html>Bad Gateway</html>")).isEqualTo("HTTP 502: <html>Bad Gateway</html>");
        assertThat(Problems.message(500, "")).isEqualTo("HTTP 500");
        assertThat(Problems.message(500, "[1,2]")).isEqualTo("HTTP 500: [1,2]");
    }

    @Test
    void anAnswerTheClientCannotReadIsNotCalledUnreachable() {
        var unreadable = new org.cam.ctl.generated.client.ApiException(
                new com.fasterxml.jackson.core.JsonParseException(null, "Unrecognized token 'id'"));
        CliException e = Problems.of(unreadable);
        assertThat(e.exitCode).isEqualTo(1);
        assertThat(e.getMessage()).startsWith("the server's answer does not match its API document: ")
                .contains("Unrecognized token 'id'");
        CliException refused = Problems.of(new org.cam.ctl.generated.client.ApiException(
                new java.net.ConnectException("Connection refused")));
        assertThat(refused.getMessage()).isEqualTo("cannot reach the server: Connection refused");
    }
}
