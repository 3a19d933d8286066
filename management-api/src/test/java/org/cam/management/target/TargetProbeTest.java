package org.cam.management.target;

import io.quarkus.test.junit.QuarkusTest;
import org.cam.management.support.Api;
import org.cam.management.support.RfbBanner;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * RFB-endpoint targets are probed (connect, read the 12-byte RFB banner, no authentication): one whose server
 * answers reads AVAILABLE, one where nothing listens or something that is not RFB answers reads UNAVAILABLE, and a
 * server that stops turns its target UNAVAILABLE at the next probe. (Scheduled rounds are off in tests, whose other
 * targets point where nothing listens: this test starts the rounds.)
 */
@QuarkusTest
class TargetProbeTest {
    private static final String HOST = "127.0.90.11";

    @jakarta.inject.Inject
    org.cam.management.target.service.TargetProbe probe;

    @Test
    void rfbEndpointsReadUnavailableWhenTheyDoNotAnswerWithTheBanner() throws Exception {
        String tag = Api.unique("probe");
        try (RfbBanner rfb = RfbBanner.start(HOST, RfbBanner.RFB);
             RfbBanner http = RfbBanner.start(HOST, "HTTP/1.1 400 Bad Request\r\n")) {
            long up = target(tag + "-up", rfb.port());
            long notRfb = target(tag + "-http", http.port());
            int closedPort;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                closedPort = s.getLocalPort();
            }
            long down = target(tag + "-down", closedPort);

            await().atMost(Duration.ofSeconds(30)).until(() -> {
                probe.probeAll().toCompletableFuture().get(60, TimeUnit.SECONDS);
                return status(down).equals("UNAVAILABLE") && status(notRfb).equals("UNAVAILABLE");
            });
            assertThat(status(up)).isEqualTo("AVAILABLE");
            assertThat(Api.admin().get("/api/v1/targets/" + down).jsonPath().getString("statusText"))
                    .isEqualTo("Unavailable");

            rfb.close();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                probe.probeAll().toCompletableFuture().get(60, TimeUnit.SECONDS);
                return status(up).equals("UNAVAILABLE");
            });
        }
    }

    private static long target(String name, int port) {
        return Api.admin().body(Map.of("name", name, "host", HOST, "port", port, "accessPolicy", "SHARED"))
                .post("/api/v1/targets").then().statusCode(201).extract().jsonPath().getLong("id");
    }

    private static String status(long id) {
        return Api.admin().get("/api/v1/targets/" + id).then().statusCode(200).extract().jsonPath().getString("status");
    }
}
