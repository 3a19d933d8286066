package org.cam.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.cam.simulator.device.SimDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** With a state directory a device keeps its certificate (so its fingerprint), boot counter and settings. */
class StatePersistenceTest {

    @TempDir
    Path state;

    private Fleet start() throws Exception {
        Fleet f = new Fleet(SimulatorConfig.parse("--first-address", TestNet.addr(31), "--kvm-port", "15940",
                "--https-port", "19443", "--tick-millis", "3600000", "--discovery", "manual",
                "--manager", TestNet.addr(250) + ":3080", "--state-dir", state.toString()));
        f.start(m -> { }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        return f;
    }

    @Test
    void restartKeepsFingerprintBootCounterAndSettings() throws Exception {
        String fingerprint;
        try (Fleet f = start()) {
            SimDevice d = f.members().get(0).device();
            fingerprint = d.certificate().fingerprintHex();
            assertThat(d.bootCounter()).isEqualTo(1);
            d.channel(2).name("db-01");
            d.channel(2).password("pw123456");
            d.enrol("a-device-secret-of-some-length");
            d.sessionCredentialsOnly(true);
            d.rfbAllowedSources("10.20.0.0/16");
            d.saveState();
        }
        try (Fleet f = start()) {
            SimDevice d = f.members().get(0).device();
            assertThat(d.certificate().fingerprintHex()).isEqualTo(fingerprint);
            assertThat(d.bootCounter()).isEqualTo(2);
            assertThat(d.channel(2).name()).isEqualTo("db-01");
            assertThat(d.channel(2).hasPassword()).isTrue();
            assertThat(d.enrolled()).isTrue();
            assertThat(d.sessionCredentialsOnly()).isTrue();   // a reboot must not open the channels' own passwords
            assertThat(d.rfbAllowedSources()).isEqualTo("10.20.0.0/16");
            Path dir = state.resolve(d.identity().mac().toString().replace(':', '-'));
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(dir.resolve("key.pem")))).isEqualTo("rw-------");
        }
    }
}
