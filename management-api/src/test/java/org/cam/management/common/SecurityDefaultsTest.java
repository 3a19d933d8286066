package org.cam.management.common;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import org.cam.management.support.Api;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The defaults production gets, in an application of their own: targets may not point at this host or at database
 * and cluster ports; with proxy forwarding on (CAM_MANAGEMENT_TRUST_PROXY) X-Forwarded-For counts only from the
 * trusted proxies, by default a proxy on this host (127.0.0.1): a client on 127.0.87.6 cannot pose as another address.
 */
@QuarkusTest
@TestProfile(SecurityDefaultsTest.Production.class)
class SecurityDefaultsTest {
    static final String PROXY = "127.0.0.1";
    static final String CLIENT = "127.0.87.6";

    public static class Production implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cam.management.targets.allow-loopback", "false",
                    "quarkus.http.proxy.proxy-address-forwarding", "true",
                    "quarkus.http.proxy.allow-x-forwarded", "true");
        }
    }

    @Test
    void targetsMayNotPointAtThisHostOrAtClusterPorts() {
        for (String host : List.of("127.0.0.1", "localhost", "127.0.87.9", "0.0.0.0", "169.254.169.254")) {
            Api.admin().body(Map.of("name", Api.unique("loop"), "host", host, "port", 5900)).post("/api/v1/targets")
                    .then().statusCode(400).body("field", org.hamcrest.Matchers.equalTo("host"));
        }
        for (int port : List.of(3306, 8443, 6443, 389)) {
            Api.admin().body(Map.of("name", Api.unique("port"), "host", "192.0.2.10", "port", port))
                    .post("/api/v1/targets").then().statusCode(400)
                    .body("field", org.hamcrest.Matchers.equalTo("port"));
        }
        Api.admin().body(Map.of("name", Api.unique("fine"), "host", "192.0.2.10", "port", 5900)).post("/api/v1/targets")
                .then().statusCode(201);
    }

    @Test
    void forwardedForCountsOnlyFromTheConfiguredProxy() throws Exception {
        String viaClient = Api.unique("xff-client");
        String viaProxy = Api.unique("xff-proxy");
        failedLogin(CLIENT, viaClient, "198.51.100.7");
        failedLogin(PROXY, viaProxy, "198.51.100.8");
        assertThat(loginSource(viaClient)).isEqualTo(CLIENT);
        assertThat(loginSource(viaProxy)).isEqualTo("198.51.100.8");
    }

    static String loginSource(String user) {
        return Api.admin().queryParam("actor", user).queryParam("action", "LOGIN").get("/api/v1/audit-events").then()
                .statusCode(200).extract().jsonPath().getString("items[0].sourceAddress");
    }

    /** A wrong-password login over plain HTTP/1.1 from {@code from}, claiming to forward for {@code forwardedFor}. */
    static void failedLogin(String from, String user, String forwardedFor) throws Exception {
        int port = io.restassured.RestAssured.port;   // the port Quarkus bound for the test
        byte[] body = ("{\"username\":\"" + user + "\",\"password\":\"wrong-password\"}")
                .getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                    + "X-Forwarded-For: " + forwardedFor + "\r\nContent-Length: " + body.length
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).isEqualTo("HTTP/1.1 401");
        }
    }
}
