package org.cam.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/** The HTTPS device API over real TLS: credentials, enrolment, firmware, configuration, power. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeviceApiTest {

    static final String HOST = TestNet.addr(11);
    static final String BASE = "https://" + HOST + ":19443";
    static final String SECRET = "device-secret-0123456789";
    static Fleet fleet;
    static HttpClient http;
    static byte[] presentedCertSha256;

    @BeforeAll
    static void start() throws Exception {
        fleet = new Fleet(SimulatorConfig.parse("--first-address", HOST, "--kvm-port", "15910", "--https-port", "19443",
                "--tick-millis", "3600000", "--discovery", "manual", "--manager", TestNet.addr(250) + ":3080",
                "--firmware-millis", "300", "--reboot-millis", "200"));
        fleet.start(m -> { }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        // Trust exactly what the device presents and remember its fingerprint, as a pinning manager would.
        TrustManager pin = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                try {
                    presentedCertSha256 = MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {pin}, new SecureRandom());
        System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
        http = HttpClient.newBuilder().sslContext(ctx).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    static String basic(String credential) {
        return "Basic " + Base64.getEncoder().encodeToString(("cam:" + credential).getBytes());
    }

    static HttpResponse<String> call(String method, String path, String auth, HttpRequest.BodyPublisher body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(BASE + path)).timeout(Duration.ofSeconds(10))
                .method(method, body);
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> json(String method, String path, String auth, String json) throws Exception {
        return call(method, path, auth, HttpRequest.BodyPublishers.ofString(json));
    }

    static JsonObject status(String auth) throws Exception {
        HttpResponse<String> r = call("GET", "/api/v1/status", auth, HttpRequest.BodyPublishers.noBody());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    @Test
    @Order(1)
    void bootstrapCredentialWorksBeforeEnrolmentAndTheCertificateMatchesTheFingerprint() throws Exception {
        assertThat(call("GET", "/api/v1/status", null, HttpRequest.BodyPublishers.noBody()).statusCode()).isEqualTo(401);
        assertThat(call("GET", "/api/v1/status", basic("wrong"), HttpRequest.BodyPublishers.noBody()).statusCode())
                .isEqualTo(401);
        JsonObject s = status(basic("cam-bootstrap"));
        assertThat(s.getBoolean("enrolled")).isFalse();
        assertThat(s.getJsonArray("channels")).hasSize(3);
        assertThat(s.getString("certificateSha256")).isEqualTo(HexFormat.of().formatHex(presentedCertSha256));
        assertThat(call("GET", "/health", null, HttpRequest.BodyPublishers.noBody()).body()).contains("UP");
    }

    @Test
    @Order(2)
    void afterEnrolmentOnlyTheDeviceSecretWorks() throws Exception {
        HttpResponse<String> bad = json("POST", "/api/v1/enrol", basic("cam-bootstrap"), "{\"deviceSecret\":\"short\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(bad.body()).getString("field")).isEqualTo("deviceSecret");
        assertThat(json("POST", "/api/v1/enrol", basic("cam-bootstrap"), "{\"deviceSecret\":\"" + SECRET + "\"}")
                .statusCode()).isEqualTo(200);
        HttpResponse<String> r = call("GET", "/api/v1/status", basic("cam-bootstrap"), HttpRequest.BodyPublishers.noBody());
        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        assertThat(call("POST", "/api/v1/reboot", null, HttpRequest.BodyPublishers.noBody()).statusCode()).isEqualTo(401);
        assertThat(json("POST", "/api/v1/channels/1/power", basic("cam-bootstrap"), "{\"action\":\"off\"}").statusCode())
                .isEqualTo(401);
        assertThat(status(basic(SECRET)).getBoolean("enrolled")).isTrue();
        assertThat(status("Bearer " + SECRET).getBoolean("enrolled")).isTrue();
        assertThat(status(basic(SECRET)).getJsonArray("channels").getJsonObject(0).getString("power")).isEqualTo("on");
    }

    @Test
    @Order(3)
    void wrongFirmwareChecksumIsRefusedAndNothingChanges() throws Exception {
        JsonObject before = status(basic(SECRET));
        byte[] image = "firmware image 2.0.0".getBytes();
        String wrong = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest("other".getBytes()));
        HttpResponse<String> r = call("POST", "/api/v1/firmware?version=2.0.0&sha256=" + wrong, basic(SECRET),
                HttpRequest.BodyPublishers.ofByteArray(image));
        assertThat(r.statusCode()).isEqualTo(422);
        assertThat(new JsonObject(r.body()).getString("field")).isEqualTo("sha256");
        JsonObject after = status(basic(SECRET));
        assertThat(after.getString("firmware")).isEqualTo(before.getString("firmware"));
        assertThat(after.getLong("bootCounter")).isEqualTo(before.getLong("bootCounter"));
        assertThat(after.getJsonObject("firmwareJob").getString("state")).isEqualTo("idle");
    }

    @Test
    @Order(4)
    void firmwareWithTheRightChecksumIsWrittenAndBootedInto() throws Exception {
        long boots = status(basic(SECRET)).getLong("bootCounter");
        byte[] image = new byte[200_000];
        new SecureRandom().nextBytes(image);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(image));
        HttpResponse<String> r = call("POST", "/api/v1/firmware?version=2.0.0&sha256=" + sha, basic(SECRET),
                HttpRequest.BodyPublishers.ofByteArray(image));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(new JsonObject(r.body()).getString("state")).isEqualTo("writing");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonObject s = status(basic(SECRET));
            assertThat(s.getString("firmware")).isEqualTo("2.0.0");
            assertThat(s.getString("state")).isEqualTo("running");
            assertThat(s.getJsonObject("firmwareJob").getString("state")).isEqualTo("done");
            assertThat(s.getLong("bootCounter")).isEqualTo(boots + 1);
        });
    }

    @Test
    @Order(5)
    void configurationIsValidatedAndApplied() throws Exception {
        HttpResponse<String> bad = json("PUT", "/api/v1/config", basic(SECRET),
                "{\"name\":\"lab-kvm\",\"discoveryMode\":\"sometimes\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(new JsonObject(bad.body()).getString("field")).isEqualTo("discoveryMode");
        assertThat(status(basic(SECRET)).getString("name")).isEqualTo("sim-001"); // nothing applied
        HttpResponse<String> ok = json("PUT", "/api/v1/config", basic(SECRET),
                "{\"name\":\"lab-kvm\",\"channels\":[{\"channel\":2,\"name\":\"db-01\",\"password\":\"pw123456\"}]}");
        assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
        JsonObject s = status(basic(SECRET));
        assertThat(s.getString("name")).isEqualTo("lab-kvm");
        JsonObject ch2 = s.getJsonArray("channels").getJsonObject(1);
        assertThat(ch2.getString("name")).isEqualTo("db-01");
        assertThat(ch2.getString("authentication")).isEqualTo("vnc");
    }

    @Test
    @Order(6)
    void channelPowerRaisesAnAlarmUntilItIsBackOn() throws Exception {
        assertThat(json("POST", "/api/v1/channels/3/power", basic(SECRET), "{\"action\":\"off\"}").statusCode())
                .isEqualTo(200);
        JsonObject s = status(basic(SECRET));
        assertThat(s.getJsonArray("channels").getJsonObject(2).getString("power")).isEqualTo("off");
        assertThat(s.getJsonObject("alarm").getString("state")).isEqualTo("warning");
        assertThat(json("POST", "/api/v1/channels/9/power", basic(SECRET), "{\"action\":\"on\"}").statusCode())
                .isEqualTo(404);
        assertThat(json("POST", "/api/v1/channels/3/power", basic(SECRET), "{\"action\":\"dim\"}").statusCode())
                .isEqualTo(400);
        assertThat(json("POST", "/api/v1/channels/3/power", basic(SECRET), "{\"action\":\"on\"}").statusCode())
                .isEqualTo(200);
        assertThat(status(basic(SECRET)).getJsonObject("alarm").getString("state")).isEqualTo("none");
    }

    @Test
    @Order(7)
    void rebootIncrementsTheBootCounter() throws Exception {
        long boots = status(basic(SECRET)).getLong("bootCounter");
        assertThat(call("POST", "/api/v1/reboot", basic(SECRET), HttpRequest.BodyPublishers.noBody()).statusCode())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            JsonObject s = status(basic(SECRET));
            assertThat(s.getLong("bootCounter")).isEqualTo(boots + 1);
            assertThat(s.getString("state")).isEqualTo("running");
        });
    }
}
