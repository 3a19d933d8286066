package org.cam.management.device;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.cam.management.device.service.DeviceClient;
import org.cam.simulator.Fleet;
import org.cam.simulator.SimulatorConfig;
import org.cam.simulator.device.SimDevice;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A pin belongs to the request: a request expecting another certificate than the one a pooled connection was
 * verified with must not travel over that connection (real simulated device on 127.0.87.20).
 */
@QuarkusTest
class DevicePinTest {
    static final String ADDRESS = "127.0.87.20";
    static final int HTTPS = 29444;

    @Inject
    DeviceClient client;

    @Test
    void aRequestIsOnlySentOverAConnectionVerifiedWithItsOwnPin() throws Exception {
        Fleet fleet = new Fleet(SimulatorConfig.parse("--count", "1", "--first-address", ADDRESS, "--channels", "1",
                "--seed", "90", "--name-prefix", "pin", "--https-port", String.valueOf(HTTPS), "--kvm-port", "29910",
                "--discovery", "manual", "--manager", "127.0.87.250:29080", "--tick-millis", "3600000",
                "--state-dir", Files.createTempDirectory("cam-pin").toString()));
        fleet.start(m -> { }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        try {
            SimDevice d = fleet.members().get(0).device();
            String real = d.certificate().fingerprintHex();
            // a connection verified with the device's real certificate, kept alive in the pool
            assertThat(client.callSync(ADDRESS, HTTPS, real, "cam-bootstrap", "GET", "/api/v1/status", null).status())
                    .isEqualTo(200);
            // a request pinned to another certificate (say, an advertised one) must be refused, not ride on it
            assertThatThrownBy(() -> client.callSync(ADDRESS, HTTPS, "ab".repeat(32), "cam-bootstrap", "GET",
                    "/api/v1/status", null)).isInstanceOf(DeviceClient.PinMismatchException.class);
            // and the right pin keeps working
            assertThat(client.callSync(ADDRESS, HTTPS, real, "cam-bootstrap", "GET", "/api/v1/status", null).status())
                    .isEqualTo(200);
        } finally {
            fleet.close();
        }
    }
}
