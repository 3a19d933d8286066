package org.cam.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.DataInputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.cam.protocol.rfb.RfbVersion;
import org.cam.testsupport.rfb.RfbTestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code --switch-attached}: the last devices of the fleet sit behind a KVM switch, one video path for all their
 * channels. A viewer on one channel makes the others refuse viewers with a reason (RFB security failure) until
 * it leaves; devices not behind a switch serve every channel at once.
 */
class KvmSwitchTest {

    static final String FIRST = TestNet.addr(21);
    static final String SECOND = TestNet.addr(22);
    static final int PORT = 15930;
    static Fleet fleet;

    @BeforeAll
    static void start() throws Exception {
        fleet = new Fleet(SimulatorConfig.parse("--count", "2", "--switch-attached", "1", "--first-address", FIRST,
                "--kvm-port", String.valueOf(PORT), "--https-port", "19453", "--channels", "3", "--tick-millis",
                "3600000", "--discovery", "manual", "--manager", TestNet.addr(250) + ":3080"));
        fleet.start(m -> { }).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    @Test
    void onlyTheLastDevicesAreBehindASwitch() {
        assertThat(fleet.members().get(0).device().switchAttached()).isFalse();
        assertThat(fleet.members().get(1).device().switchAttached()).isTrue();
    }

    @Test
    void aViewerOnOneChannelMakesTheOthersBusyUntilItLeaves() throws Exception {
        try (RfbTestClient first = RfbTestClient.tcp(SECOND, PORT).open(null, true)) {
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> fleet.members().get(1).device().channel(1).sessions() == 1);
            // Another viewer of the same channel shares the picture the switch shows.
            try (RfbTestClient same = RfbTestClient.tcp(SECOND, PORT).open(null, true)) {
                assertThat(same.serverInit().width()).isEqualTo(1024);
            }
            assertThatThrownBy(() -> RfbTestClient.tcp(SECOND, PORT + 1).open(null, true).close())
                    .hasMessageStartingWith("refused");
            assertThat(refusal38(SECOND, PORT + 2)).contains("busy").contains("channel 1");
            // The device without a switch serves all its channels at once.
            try (RfbTestClient a = RfbTestClient.tcp(FIRST, PORT).open(null, true);
                 RfbTestClient b = RfbTestClient.tcp(FIRST, PORT + 1).open(null, true)) {
                assertThat(a.serverInit().width()).isEqualTo(b.serverInit().width());
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fleet.members().get(1).device().channel(1).sessions() == 0);
        try (RfbTestClient other = RfbTestClient.tcp(SECOND, PORT + 1).open(null, true)) {
            assertThat(other.serverInit().height()).isEqualTo(768);
        }
    }

    /** RFB 3.8 refusal before authentication: zero security types, then the reason; the server closes. */
    private static String refusal38(String host, int port) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5000);
            s.setSoTimeout(5000);
            DataInputStream in = new DataInputStream(s.getInputStream());
            in.readFully(new byte[12]);
            s.getOutputStream().write(RfbVersion.V3_8.encode());
            assertThat(in.readUnsignedByte()).as("number of security types").isZero();
            byte[] reason = new byte[in.readInt()];
            in.readFully(reason);
            assertThat(in.read()).as("closed after the reason").isEqualTo(-1);
            return new String(reason, StandardCharsets.UTF_8);
        }
    }
}
