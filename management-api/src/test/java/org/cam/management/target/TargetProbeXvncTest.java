package org.cam.management.target;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.cam.management.support.Api;
import org.cam.management.target.service.TargetProbe;
import org.cam.testsupport.Packages;
import org.cam.testsupport.rfb.RfbTestClient;
import org.cam.testsupport.rfb.VncPasswordFile;
import org.cam.testsupport.x11.XDisplay;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The target probe against a stock TigerVNC Xvnc with its default blacklist (5 unauthenticated connections per
 * address, then refused): TigerVNC counts every accepted connection and forgets the count only when one
 * authenticates, so a probe that closed after the banner had management-api's address refused from the sixth round
 * on, and the broker with it. Many rounds later, a real RFB client from the same address still authenticates, for a
 * server with VNC authentication (the target's credential) and one with None.
 */
@QuarkusTest
class TargetProbeXvncTest {
    private static final String HOST = "127.0.90.21";
    private static final int ROUNDS = 12;   // more than twice Xvnc's default BlacklistThreshold

    @Inject
    TargetProbe probe;

    @Test
    void manyProbeRoundsNeverGetTheAddressBlacklisted() throws Exception {
        Packages.ensure("Xvnc=tigervnc-standalone-server");
        String password = "pr0be-pw";
        Path dir = Files.createTempDirectory("cam-probe-xvnc");
        try (Xvnc vncAuth = Xvnc.start(dir, "VncAuth", password);
             Xvnc none = Xvnc.start(dir, "None", null)) {
            String tag = Api.unique("probe-xvnc");
            long withPassword = target(tag + "-vncauth", vncAuth.port, password);
            long open = target(tag + "-none", none.port, null);

            for (int i = 0; i < ROUNDS; i++) {
                probe.probeAll().toCompletableFuture().get(60, TimeUnit.SECONDS);
                assertThat(status(withPassword)).as("round %d: %s", i, probe.reason(withPassword))
                        .isEqualTo("AVAILABLE");
                assertThat(status(open)).as("round %d: %s", i, probe.reason(open)).isEqualTo("AVAILABLE");
            }

            for (Xvnc x : List.of(vncAuth, none)) {
                try (RfbTestClient viewer = RfbTestClient.tcp(HOST, x.port)) {
                    assertThat(viewer.handshake(x.password))
                            .as("a viewer after %d probe rounds (%s); Xvnc log:%n%s", ROUNDS, viewer.failureReason,
                                    x.display.serverLog())
                            .isTrue();
                    assertThat(viewer.width()).isEqualTo(640);
                }
            }
            assertThat(vncAuth.display.serverLog()).doesNotContain("Blacklisted", "blacklisted");
        }
    }

    /** A refused credential reads UNAVAILABLE with the reason, and is not sent again while it is the same. */
    @Test
    void aWrongCredentialIsReportedAndNotRetried() throws Exception {
        Packages.ensure("Xvnc=tigervnc-standalone-server");
        Path dir = Files.createTempDirectory("cam-probe-xvnc");
        try (Xvnc vncAuth = Xvnc.start(dir, "VncAuth", "right-pw")) {
            long id = target(Api.unique("probe-xvnc-wrong"), vncAuth.port, "wrong-pw");
            probe.probeAll().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(status(id)).isEqualTo("UNAVAILABLE");
            assertThat(probe.reason(id)).isEqualTo("server refused the target's credential");
            probe.probeAll().toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertThat(status(id)).isEqualTo("UNAVAILABLE");
            assertThat(probe.reason(id)).contains("not offered again");
            // Xvnc logs each failed authentication once: the second round sent no password.
            assertThat(vncAuth.display.serverLog().split("AuthFailureException", -1)).hasSize(2);
        }
    }

    private static long target(String name, int port, String password) {
        Map<String, Object> body = new HashMap<>(Map.of("name", name, "host", HOST, "port", port,
                "accessPolicy", "SHARED"));
        if (password != null) {
            body.put("credential", Map.of("password", password));
        }
        return Api.admin().body(body).post("/api/v1/targets").then().statusCode(201).extract().jsonPath()
                .getLong("id");
    }

    private static String status(long id) {
        return Api.admin().get("/api/v1/targets/" + id).then().statusCode(200).extract().jsonPath()
                .getString("status");
    }

    /** A stock Xvnc (no blacklist option: TigerVNC's defaults) on a free display and port of HOST. */
    private record Xvnc(XDisplay display, int port, String password) implements AutoCloseable {
        static Xvnc start(Path dir, String security, String password) throws Exception {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
                port = s.getLocalPort();
            }
            int number = 230;
            while (Files.exists(Path.of("/tmp/.X" + number + "-lock"))) {
                number++;
            }
            List<String> cmd = new ArrayList<>(List.of("Xvnc", ":" + number, "-rfbport", String.valueOf(port),
                    "-interface", HOST, "-geometry", "640x480", "-depth", "24", "-nolisten", "tcp",
                    "-SecurityTypes", security));
            if (password != null) {
                cmd.addAll(List.of("-rfbauth",
                        VncPasswordFile.write(dir.resolve("passwd-" + number), password).toString()));
            }
            return new Xvnc(XDisplay.start(number, dir.resolve("xvnc-" + number), cmd), port, password);
        }

        @Override
        public void close() {
            display.close();
        }
    }
}
