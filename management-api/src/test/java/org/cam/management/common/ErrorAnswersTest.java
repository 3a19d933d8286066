package org.cam.management.common;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.smallrye.jwt.build.Jwt;
import jakarta.inject.Inject;
import org.cam.management.config.ManagementConfig;
import org.cam.management.identity.service.JwtKeys;
import org.cam.management.identity.service.TokenService;
import org.cam.management.support.Api;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every error answer is problem+json, including those the HTTP and security layers give before a resource runs:
 * 401 (with the WWW-Authenticate challenge the API always sent), 403, 404, 405, 413, 415.
 */
@QuarkusTest
class ErrorAnswersTest {
    private static final String PROBLEM = "application/problem+json";
    private static final String TYPES = "https://cam.test/problems/";

    @Inject
    JwtKeys keys;

    @Inject
    ManagementConfig config;

    /** Status, content type and the RFC 9457 members every answer carries; returns the body for more checks. */
    private static io.restassured.path.json.JsonPath problem(Response r, int status, String title, String instance) {
        assertThat(r.statusCode()).as(r.asString()).isEqualTo(status);
        assertThat(r.contentType()).startsWith(PROBLEM);
        var p = r.jsonPath();
        assertThat(p.getInt("status")).isEqualTo(status);
        assertThat(p.getString("title")).isEqualTo(title);
        assertThat(p.getString("type")).isEqualTo(TYPES + title.toLowerCase().replace(' ', '-'));
        assertThat(p.getString("detail")).isNotBlank();
        assertThat(p.getString("instance")).isEqualTo(instance);
        return p;
    }

    @Test
    void missingCredentialsAre401WithTheBasicChallenge() {
        Response r = given().get("/api/v1/users");
        problem(r, 401, "Unauthorized", "/api/v1/users");
        assertThat(r.headers().getValues("WWW-Authenticate")).containsExactly("basic");
    }

    @Test
    void wrongCredentialsAre401AndSayNothingAboutWhy() {
        Response basic = given().auth().preemptive().basic(Api.unique("nobody"), "wrong-password")
                .get("/api/v1/users");
        var p = problem(basic, 401, "Unauthorized", "/api/v1/users");
        assertThat(p.getString("detail")).doesNotContain("unknown user");
        assertThat(basic.headers().getValues("WWW-Authenticate")).containsExactly("basic");

        Response jwt = given().auth().oauth2("not.a.jwt").get("/api/v1/users");
        problem(jwt, 401, "Unauthorized", "/api/v1/users");
        assertThat(jwt.headers().getValues("WWW-Authenticate")).containsExactly("Bearer");

        Response service = given().auth().oauth2("wrong-broker-token").get("/api/v1/auth/whoami");
        problem(service, 401, "Unauthorized", "/api/v1/auth/whoami");
        assertThat(service.headers().getValues("WWW-Authenticate")).containsExactly("Bearer");

        // the same detail for every cause
        assertThat(jwt.jsonPath().getString("detail")).isEqualTo(p.getString("detail"));
    }

    @Test
    void expiredTokenIs401WithTheBearerChallenge() {
        long adminId = Api.admin().get("/api/v1/users?q=admin").then().statusCode(200).extract().jsonPath()
                .getLong("items.find { it.username == 'admin' }.id");
        Instant issued = Instant.now().minus(Duration.ofMinutes(30));
        String expired = Jwt.issuer(config.jwt().issuer()).upn("admin").subject(String.valueOf(adminId))
                .groups(Set.of("admin")).claim(TokenService.GENERATION, 0L)   // the admin's: never changed in tests
                .issuedAt(issued).expiresAt(issued.plus(Duration.ofMinutes(10)))
                .jws().keyId("cam-management").sign(keys.privateKey());
        Response r = given().auth().oauth2(expired).get("/api/v1/users");
        problem(r, 401, "Unauthorized", "/api/v1/users");
        assertThat(r.headers().getValues("WWW-Authenticate")).containsExactly("Bearer");

        // control: the same token, not expired, is accepted, so the 401 above is about expiry
        String fresh = Jwt.issuer(config.jwt().issuer()).upn("admin").subject(String.valueOf(adminId))
                .groups(Set.of("admin")).claim(TokenService.GENERATION, 0L)
                .issuedAt(Instant.now()).expiresAt(Instant.now().plusSeconds(300))
                .jws().keyId("cam-management").sign(keys.privateKey());
        given().auth().oauth2(fresh).get("/api/v1/users").then().statusCode(200);
    }

    @Test
    void lockoutStillCountsAndAnswersProblems() {
        String name = Api.unique("lockerr");
        Api.createUser(name, "right-password-1", "user");
        for (int i = 0; i < 3; i++) {
            problem(given().auth().preemptive().basic(name, "wrong-password").get("/api/v1/me/targets"),
                    401, "Unauthorized", "/api/v1/me/targets");
        }
        // locked now: the right password is refused too, with the same answer
        problem(given().auth().preemptive().basic(name, "right-password-1").get("/api/v1/me/targets"),
                401, "Unauthorized", "/api/v1/me/targets");
        var audit = Api.admin().queryParam("actor", name).queryParam("size", 100).get("/api/v1/audit-events")
                .then().statusCode(200).extract().jsonPath();
        assertThat(audit.getList("items.action", String.class)).contains("LOCKOUT");
        assertThat(audit.getList("items.findAll { it.action == 'LOGIN' && it.outcome == 'DENIED' }")).hasSize(1);
    }

    @Test
    void roleTooSmallIs403AndAudited() {
        String name = Api.unique("viewer");
        Api.createUser(name, "viewer-password-1", "viewer");
        problem(Api.as(name, "viewer-password-1").get("/api/v1/users"), 403, "Forbidden", "/api/v1/users");
        // Basic too (a different authentication path, same role check)
        problem(given().auth().preemptive().basic(name, "viewer-password-1").get("/api/v1/users"),
                403, "Forbidden", "/api/v1/users");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(Api.admin().queryParam("actor", name).queryParam("action", "ACCESS_DENIED")
                        .get("/api/v1/audit-events").then().statusCode(200).extract().jsonPath()
                        .getInt("total")).isEqualTo(2));
    }

    @Test
    void oversizedBodyIs413NamingTheLimit() throws Exception {
        // The server answers as soon as it has the headers and closes: a client still writing its 2 MiB body may get
        // "broken pipe" before it reads the answer (seen here), so these requests announce the size and send no body.
        int big = 2 * 1024 * 1024;
        String admin = "Authorization: Bearer " + Api.token("admin", Api.ADMIN_PASSWORD);
        Raw r = raw(admin, "Content-Length: " + big, null);
        assertProblem(r, 413, "Content Too Large");
        assertThat(r.body()).contains("1M").contains("1048576 bytes");
        // the limit is checked after authentication but before any role check: anonymous callers get it too,
        // callers with wrong credentials get their 401 first
        assertProblem(raw(null, "Content-Length: " + big, null), 413, "Content Too Large");
        String wrong = "Authorization: Basic " + java.util.Base64.getEncoder().encodeToString(
                (Api.unique("nobody") + ":wrong-password").getBytes(StandardCharsets.UTF_8));
        assertProblem(raw(wrong, "Content-Length: " + big, null), 401, "Unauthorized");

        // chunked (no Content-Length): refused while reading, with the same answer; the chunks are written by
        // another thread so that the answer is read even when the server stops reading the body
        byte[] chunk = ("x".repeat(64 * 1024)).getBytes(StandardCharsets.US_ASCII);
        Raw chunked = raw(admin, "Transfer-Encoding: chunked", out -> {
            for (int i = 0; i < 40; i++) {
                out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        });
        assertProblem(chunked, 413, "Content Too Large");
        assertThat(chunked.body()).contains("1048576 bytes");
        // a chunked body within the limit still reaches the resource
        String name = Api.unique("chunked");
        HttpResponse<String> ok = postChunked(
                "{\"name\":\"" + name + "\",\"host\":\"127.0.0.1\",\"port\":5900,\"accessPolicy\":\"SHARED\"}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(201);
        assertThat(ok.body()).contains(name);

        // just under the limit is read and validated as usual
        String fits = "{\"name\":\"" + "x".repeat(1024 * 1024 - 100) + "\"}";
        problem(Api.admin().body(fits).post("/api/v1/targets"), 400, "Validation failed", "/api/v1/targets");
    }

    /** An HTTP/1.1 exchange over a plain socket: status, content type and body of the answer. */
    private record Raw(int status, String contentType, String body) {
    }

    private interface BodyWriter {
        void write(java.io.OutputStream out) throws java.io.IOException;
    }

    /** POST /api/v1/targets with the given headers; {@code body}, when given, is written by another thread. */
    private static Raw raw(String auth, String lengthHeader, BodyWriter body) throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", RestAssured.port)) {
            s.setSoTimeout(30_000);
            String head = "POST /api/v1/targets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + (auth == null ? "" : auth + "\r\n") + lengthHeader + "\r\n\r\n";
            java.io.OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread writer = null;
            if (body != null) {
                writer = new Thread(() -> {
                    try {
                        body.write(out);
                        out.flush();
                    } catch (java.io.IOException expected) {
                        // the server answered and closed before taking the whole body
                    }
                });
                writer.start();
            }
            java.io.DataInputStream in = new java.io.DataInputStream(new java.io.BufferedInputStream(s.getInputStream()));
            String status = line(in);
            String type = null;
            int length = -1;
            for (String h = line(in); !h.isEmpty(); h = line(in)) {
                String lower = h.toLowerCase();
                if (lower.startsWith("content-type:")) {
                    type = h.substring(13).trim();
                } else if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(15).trim());
                }
            }
            assertThat(length).as("the answer has a Content-Length").isBetween(0, 65536);
            byte[] b = new byte[length];
            in.readFully(b);
            if (writer != null) {
                s.shutdownInput();
                writer.join(30_000);
            }
            return new Raw(Integer.parseInt(status.split(" ")[1]), type, new String(b, StandardCharsets.UTF_8));
        }
    }

    private static String line(java.io.DataInputStream in) throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new java.io.EOFException("connection closed after: " + sb);
            }
            if (c != '\r') {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    private static void assertProblem(Raw r, int status, String title) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(r.contentType()).startsWith(PROBLEM);
        var p = new io.restassured.path.json.JsonPath(r.body());
        assertThat(p.getInt("status")).isEqualTo(status);
        assertThat(p.getString("title")).isEqualTo(title);
        assertThat(p.getString("type")).isEqualTo(TYPES + title.toLowerCase().replace(' ', '-'));
        assertThat(p.getString("detail")).isNotBlank();
        assertThat(p.getString("instance")).isEqualTo("/api/v1/targets");
    }

    /** The JDK client sends a body of unknown length chunked. */
    private static HttpResponse<String> postChunked(String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + RestAssured.port + "/api/v1/targets"))
                .header("Authorization", "Bearer " + Api.token("admin", Api.ADMIN_PASSWORD))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))))
                .build();
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()
                .send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void unknownPathsWrongMethodsAndMediaTypes() {
        var p = problem(Api.admin().get("/api/v1/no-such-thing"), 404, "Not Found", "/api/v1/no-such-thing");
        assertThat(p.getString("detail")).contains("/api/v1/no-such-thing");
        problem(given().get("/api/v1/no-such-thing"), 404, "Not Found", "/api/v1/no-such-thing");
        problem(Api.admin().get("/api/v1/targets/not-a-number"), 404, "Not Found", "/api/v1/targets/not-a-number");

        problem(Api.admin().body("{}").patch("/api/v1/targets"), 405, "Method Not Allowed", "/api/v1/targets");
        problem(Api.admin().contentType("text/plain").body("hello").post("/api/v1/targets"),
                415, "Unsupported Media Type", "/api/v1/targets");
        problem(Api.admin().accept("text/csv").get("/api/v1/users"), 406, "Not Acceptable", "/api/v1/users");
    }

    @Test
    void fieldIsNamedWhenOneIsAtFault() {
        var p = problem(Api.admin().body(Map.of("host", "10.0.0.1", "port", 5900)).post("/api/v1/targets"),
                400, "Validation failed", "/api/v1/targets");
        assertThat(p.getString("field")).isEqualTo("name");
        var none = problem(Api.admin().get("/api/v1/no-such-thing"), 404, "Not Found", "/api/v1/no-such-thing");
        assertThat(none.getMap("$")).doesNotContainKey("field");
    }
}
