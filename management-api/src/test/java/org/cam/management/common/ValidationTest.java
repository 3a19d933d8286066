package org.cam.management.common;

import io.quarkus.test.junit.QuarkusTest;
import org.cam.management.support.Api;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

/** Bad input is a 4xx problem+json naming the field, never a 500. */
@QuarkusTest
class ValidationTest {
    private static final String PROBLEM = "application/problem+json";

    @Test
    void missingFieldIsNamed() {
        Api.admin().body(Map.of("host", "10.0.0.1", "port", 5900)).post("/api/v1/targets")
                .then().statusCode(400).contentType(PROBLEM)
                .body("field", equalTo("name")).body("status", equalTo(400)).body("title", equalTo("Validation failed"));
        Api.admin().body(Map.of("name", Api.unique("x"), "host", "10.0.0.1")).post("/api/v1/targets")
                .then().statusCode(400).contentType(PROBLEM).body("field", equalTo("port"));
        Api.admin().body(Map.of("username", Api.unique("u"), "password", "short")).post("/api/v1/users")
                .then().statusCode(400).contentType(PROBLEM).body("field", equalTo("password"));
    }

    @Test
    void wrongTypesAndValuesAreNamed() {
        Api.admin().body("{\"name\":\"t\",\"host\":\"h\",\"port\":\"abc\"}").post("/api/v1/targets")
                .then().statusCode(400).contentType(PROBLEM).body("field", equalTo("port"));
        Api.admin().body("{\"name\":\"t\",\"host\":\"h\",\"port\":70000}").post("/api/v1/targets")
                .then().statusCode(400).contentType(PROBLEM).body("field", equalTo("port"));
        Api.admin().body("{\"name\":\"t\",\"host\":\"h\",\"port\":5900,\"accessPolicy\":\"SOMETIMES\"}")
                .post("/api/v1/targets").then().statusCode(400).contentType(PROBLEM).body("field", equalTo("accessPolicy"));
        Api.admin().body("{\"name\":\"t\",\"host\":\"bad host!\",\"port\":5900}").post("/api/v1/targets")
                .then().statusCode(400).contentType(PROBLEM).body("field", equalTo("host"));
        Api.admin().body("{\"username\":\"ok-name\",\"password\":\"long-enough\",\"roles\":[\"king\"]}")
                .post("/api/v1/users").then().statusCode(400).contentType(PROBLEM).body("field", containsString("roles"));
        Api.admin().queryParam("size", 100000).get("/api/v1/targets")
                .then().statusCode(400).contentType(PROBLEM).body("field", equalTo("size"));
        Api.admin().queryParam("from", "yesterday").get("/api/v1/audit-events")
                .then().statusCode(400).contentType(PROBLEM).body("field", equalTo("from"));
    }

    @Test
    void malformedAndOversizedBodies() {
        Api.admin().body("{\"name\": ").post("/api/v1/targets").then().statusCode(400).contentType(PROBLEM);
        Api.admin().body("[1,2,3]").post("/api/v1/targets").then().statusCode(400).contentType(PROBLEM);
        Api.admin().post("/api/v1/targets").then().statusCode(400).contentType(PROBLEM);
        String big = "{\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}";
        Api.admin().body(big).post("/api/v1/targets").then().statusCode(413);
        Api.admin().contentType("text/plain").body("hello").post("/api/v1/targets").then().statusCode(415);
    }

    @Test
    void unknownIdsAndStaleVersions() {
        Api.admin().get("/api/v1/targets/987654321").then().statusCode(404).contentType(PROBLEM);
        Api.admin().get("/api/v1/users/987654321").then().statusCode(404).contentType(PROBLEM);
        Api.admin().get("/api/v1/targets/not-a-number").then().statusCode(404);
        Api.admin().body(Map.of("groupId", 987654321, "targetSetId", 1, "accessLevel", "VIEW_ONLY"))
                .post("/api/v1/grants").then().statusCode(404).contentType(PROBLEM).body("field", equalTo("groupId"));

        String name = Api.unique("ver");
        long id = Api.createTarget(name);
        Map<String, Object> update = Map.of("name", name, "host", "127.0.0.2", "port", 5901, "version", 0);
        Api.admin().body(update).put("/api/v1/targets/" + id).then().statusCode(200).body("version", equalTo(1));
        Api.admin().body(update).put("/api/v1/targets/" + id)
                .then().statusCode(409).contentType(PROBLEM).body("field", equalTo("version"));
        Api.admin().body(Map.of("name", name, "host", "127.0.0.2", "port", 5901)).put("/api/v1/targets/" + id)
                .then().statusCode(400).body("field", equalTo("version"));
        // duplicate name
        Api.admin().body(Map.of("name", name, "host", "127.0.0.1", "port", 5900)).post("/api/v1/targets")
                .then().statusCode(409).contentType(PROBLEM).body("field", equalTo("name"));
    }
}
