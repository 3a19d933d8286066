package org.cam.management.session;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.cam.management.support.Api;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The session answer tells the console what the broker will enforce: the clipboard policy of the rule that gave the
 * access, and the idle and maximum durations (the console's idle warning and clock).
 */
@QuarkusTest
class SessionAnswerTest {

    @Test
    void answerCarriesClipboardPolicyAndTimeouts() {
        String tag = Api.unique("answer");
        long target = Api.createTarget(tag + "-t");
        String user = tag.replace('-', '_');
        long userId = Api.createUser(user, "answer-pass-1", "user");
        Api.admin().body(Map.of("userId", userId, "targetId", target, "accessLevel", "FULL_CONTROL",
                "clipboard", "TO_TARGET")).post("/api/v1/assignments").then().statusCode(201);

        JsonPath control = Api.as(user, "answer-pass-1").body(Map.of("targetId", target, "mode", "control"))
                .post("/api/v1/sessions").then().statusCode(201).extract().jsonPath();
        assertThat(control.getString("clipboard")).isEqualTo("TO_TARGET");
        assertThat(control.getInt("idleTimeoutSeconds")).isEqualTo(900);
        assertThat(control.getInt("maxDurationSeconds")).isEqualTo(28800);
        assertThat(control.getString("mode")).isEqualTo("CONTROL");

        // The list (answered from the access cache) shows the session as soon as the broker claimed it: the claim is
        // a write here and starts the cache over.
        assertThat(Api.as(user, "answer-pass-1").queryParam("q", tag).get("/api/v1/me/targets").then().statusCode(200)
                .extract().jsonPath().getString("items[0].status")).isEqualTo("AVAILABLE");
        io.restassured.RestAssured.given().auth().oauth2("test-broker-token").contentType("application/json")
                .body(Map.of("brokerId", "broker-answer")).post("/api/v1/internal/sessions/"
                        + control.getString("sessionId") + "/claim").then().statusCode(200);
        assertThat(Api.as(user, "answer-pass-1").queryParam("q", tag).get("/api/v1/me/targets").then().statusCode(200)
                .extract().jsonPath().getString("items[0].statusText")).isEqualTo("Remote active session (" + user + ")");

        // Operators open everything with the clipboard both ways.
        assertThat(Api.demo("otto").body(Map.of("targetId", target, "mode", "view")).post("/api/v1/sessions")
                .then().statusCode(201).extract().jsonPath().getString("clipboard")).isEqualTo("BOTH");
    }
}
