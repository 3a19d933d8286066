package org.cam.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.cam.broker.listener.Listeners;
import org.cam.broker.support.BrokerTestResource;
import org.cam.broker.support.ManagementDouble;
import org.cam.testsupport.rfb.RfbTestClient;
import org.cam.broker.support.ScriptedDevice;
import org.cam.protocol.rfb.ClientMessage;
import org.cam.protocol.rfb.Encodings;
import org.cam.protocol.rfb.ExtendedClipboard;
import org.cam.protocol.rfb.PixelFormat;
import org.cam.protocol.rfb.ServerMessages;
import org.junit.jupiter.api.Test;

/**
 * What the relay lets through, message by message, between a real client socket and a scripted RFB server: every
 * client message in control, only the protocol flow in view, SetEncodings cut down to what the framers follow, the
 * clipboard policy both ways, the client's pixel format followed, and a device stream that cannot be framed closed.
 */
@QuarkusTest
@QuarkusTestResource(BrokerTestResource.class)
class RelayPolicyTest {

    private static final AtomicInteger IDS = new AtomicInteger();
    private static final byte[] ZLIB_TEXT = {0x78, (byte) 0x9c, 1, 2, 3, 4};

    @Inject
    Listeners listeners;

    private static final ClientMessage.FramebufferUpdateRequest MARKER =
            new ClientMessage.FramebufferUpdateRequest(false, 1, 2, 3, 4);

    private static final List<ClientMessage> FLOW = List.of(
            new ClientMessage.SetPixelFormat(PixelFormat.RGB888),
            new ClientMessage.FramebufferUpdateRequest(true, 0, 0, 1024, 768),
            new ClientMessage.EnableContinuousUpdates(true, 0, 0, 1024, 768),
            new ClientMessage.ClientFence(0x80000004, new byte[] {9}),
            new ClientMessage.QemuAudio(ClientMessage.QemuAudio.SET_FORMAT, 3, 2, 44100),
            new ClientMessage.QemuAudio(ClientMessage.QemuAudio.ENABLE, 0, 0, 0),
            new ClientMessage.Gii(true, 1, new byte[] {0, 1}),
            new ClientMessage.ExtendedClipboardMessage(ExtendedClipboard.CAPS | ExtendedClipboard.TEXT,
                    new byte[] {0, 0, 0x10, 0}));

    private static final List<ClientMessage> INPUT_AND_CONTROL = List.of(
            new ClientMessage.KeyEvent(true, 'a'),
            new ClientMessage.KeyEvent(false, 'a'),
            new ClientMessage.PointerEvent(1, 10, 20),
            new ClientMessage.QemuExtendedKeyEvent(true, 'b', 0x30),
            new ClientMessage.Gii(false, ClientMessage.Gii.EVENTS, new byte[] {1, 2, 3, 4}),
            new ClientMessage.Xvp(1, 3),
            new ClientMessage.SetDesktopSize(800, 600, List.of(new ClientMessage.Screen(0, 0, 0, 800, 600, 0))));

    private static final ClientMessage CUT = new ClientMessage.ClientCutText("from the client");
    private static final ClientMessage EXT_NOTIFY = new ClientMessage.ExtendedClipboardMessage(
            ExtendedClipboard.NOTIFY | ExtendedClipboard.TEXT, new byte[0]);
    private static final ClientMessage EXT_PROVIDE = new ClientMessage.ExtendedClipboardMessage(
            ExtendedClipboard.PROVIDE | ExtendedClipboard.TEXT, ZLIB_TEXT);
    private static final ClientMessage EXT_REQUEST = new ClientMessage.ExtendedClipboardMessage(
            ExtendedClipboard.REQUEST | ExtendedClipboard.TEXT, new byte[0]);

    private record Session(ScriptedDevice device, RfbTestClient client, ManagementDouble.Session claim)
            implements AutoCloseable {
        @Override
        public void close() throws Exception {
            client.close();
            device.close();
        }
    }

    private Session open(String mode, String clipboard) throws Exception {
        ScriptedDevice device = ScriptedDevice.start(null);
        String otp = "pol" + String.format("%05d", IDS.incrementAndGet());
        ManagementDouble.Session s = BrokerTestResource.management.add("policy-" + otp + "-" + System.nanoTime(),
                otp, mode, ScriptedDevice.HOST, device.port(), null, 0);
        s.clipboard = clipboard;
        RfbTestClient c = RfbTestClient.tcp("127.0.0.1", listeners.plainPort());
        assertThat(c.handshake(otp)).isTrue();
        // The test client announces Raw after its handshake.
        assertThat(device.next()).isEqualTo(new ClientMessage.SetEncodings(List.of(Encodings.RAW)));
        return new Session(device, c, s);
    }

    private static List<String> wire(List<ClientMessage> messages) {
        return messages.stream().map(m -> m.getClass().getSimpleName() + java.util.HexFormat.of()
                .formatHex(m.encode())).toList();
    }

    private static void sendAll(RfbTestClient c, List<ClientMessage> messages) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        messages.forEach(m -> out.writeBytes(m.encode()));
        c.sendRaw(out.toByteArray());
    }

    @Test
    void setEncodingsLosesWhatTheRelayCannotFollow() throws Exception {
        try (Session s = open("CONTROL", null)) {
            s.client().send(new ClientMessage.SetEncodings(List.of(Encodings.TRLE, Encodings.CURSOR_WITH_ALPHA,
                    Encodings.EXTENDED_MOUSE_BUTTONS, Encodings.ZRLE, Encodings.TIGHT, Encodings.FENCE,
                    Encodings.CONTINUOUS_UPDATES, Encodings.EXTENDED_CLIPBOARD, Encodings.QEMU_EXTENDED_KEY_EVENT,
                    Encodings.XVP, Encodings.EXTENDED_DESKTOP_SIZE, Encodings.GII, 0x574d5664, Encodings.H264,
                    -30, Encodings.CURSOR)));
            assertThat(s.device().next()).isEqualTo(new ClientMessage.SetEncodings(List.of(Encodings.ZRLE,
                    Encodings.TIGHT, Encodings.FENCE, Encodings.CONTINUOUS_UPDATES, Encodings.EXTENDED_CLIPBOARD,
                    Encodings.QEMU_EXTENDED_KEY_EVENT, Encodings.XVP, Encodings.EXTENDED_DESKTOP_SIZE,
                    Encodings.GII, -30, Encodings.CURSOR)));
        }
    }

    @Test
    void controlPassesEveryClientMessageByteForByte() throws Exception {
        try (Session s = open("CONTROL", "BOTH")) {
            List<ClientMessage> all = new ArrayList<>(FLOW);
            all.addAll(INPUT_AND_CONTROL);
            all.addAll(List.of(CUT, EXT_NOTIFY, EXT_PROVIDE, EXT_REQUEST, MARKER));
            sendAll(s.client(), all);
            assertThat(wire(s.device().until(MARKER))).isEqualTo(wire(all));
        }
    }

    @Test
    void viewDropsInputClipboardAndTargetControlAndKeepsTheFlow() throws Exception {
        try (Session s = open("VIEW", "BOTH")) {
            List<ClientMessage> all = new ArrayList<>();
            for (int i = 0; i < FLOW.size(); i++) {
                all.add(FLOW.get(i));
                all.add(INPUT_AND_CONTROL.get(i % INPUT_AND_CONTROL.size()));
            }
            all.addAll(List.of(CUT, EXT_NOTIFY, EXT_PROVIDE, MARKER));
            sendAll(s.client(), all);
            List<ClientMessage> expected = new ArrayList<>(FLOW);
            // A view client may still ask for the target's clipboard when the policy lets it out (BOTH).
            expected.add(MARKER);
            assertThat(wire(s.device().until(MARKER))).isEqualTo(wire(expected));
            s.client().send(EXT_REQUEST);
            s.client().send(MARKER);
            assertThat(wire(s.device().until(MARKER))).isEqualTo(wire(List.of(EXT_REQUEST, MARKER)));
        }
    }

    /** The client's clipboard towards the target, for each mode and policy. */
    @Test
    void clipboardToTheTargetFollowsThePolicy() throws Exception {
        List<ClientMessage> clip = List.of(CUT, EXT_NOTIFY, EXT_PROVIDE, EXT_REQUEST, FLOW.get(7), MARKER);
        assertToTarget("CONTROL", "BOTH", clip);
        assertToTarget("CONTROL", null, clip);
        assertToTarget("CONTROL", "TO_TARGET", List.of(CUT, EXT_NOTIFY, EXT_PROVIDE, FLOW.get(7), MARKER));
        assertToTarget("CONTROL", "NONE", List.of(FLOW.get(7), MARKER));
        assertToTarget("VIEW", "BOTH", List.of(EXT_REQUEST, FLOW.get(7), MARKER));
        assertToTarget("VIEW", "TO_TARGET", List.of(FLOW.get(7), MARKER));
    }

    private void assertToTarget(String mode, String clipboard, List<ClientMessage> expected) throws Exception {
        try (Session s = open(mode, clipboard)) {
            sendAll(s.client(), List.of(CUT, EXT_NOTIFY, EXT_PROVIDE, EXT_REQUEST, FLOW.get(7), MARKER));
            assertThat(wire(s.device().until(MARKER))).as("%s %s", mode, clipboard).isEqualTo(wire(expected));
        }
    }

    // ---- device -> client -----------------------------------------------------------------------------------

    private static byte[] extended(int flags, byte[] rest) {
        byte[] b = new byte[12 + rest.length];
        b[0] = 3;
        java.nio.ByteBuffer.wrap(b).putInt(4, -(4 + rest.length)).putInt(8, flags);
        System.arraycopy(rest, 0, b, 12, rest.length);
        return b;
    }

    private static byte[] rawUpdate(int w, int h, int bpp) {
        byte[] b = new byte[4 + 12 + w * h * bpp];
        System.arraycopy(ServerMessages.framebufferUpdateHeader(1), 0, b, 0, 4);
        new ServerMessages.RectangleHeader(0, 0, w, h, Encodings.RAW).encodeTo(b, 4);
        for (int i = 16; i < b.length; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    private static final byte[] SERVER_CUT = ServerMessages.serverCutText("target secret");
    private static final byte[] SERVER_CAPS = extended(ExtendedClipboard.CAPS | 1, new byte[] {0, 0, 0x10, 0});
    private static final byte[] SERVER_NOTIFY = extended(ExtendedClipboard.NOTIFY | 1, new byte[0]);
    private static final byte[] SERVER_PROVIDE = extended(ExtendedClipboard.PROVIDE | 1, ZLIB_TEXT);
    private static final byte[] SERVER_REQUEST = extended(ExtendedClipboard.REQUEST | 1, new byte[0]);
    private static final byte[] FENCE = {(byte) 248, 0, 0, 0, 0, 0, 0, 0, 1, 7};
    private static final byte[] END_OF_CU = {(byte) 150};
    private static final byte[] BELL = ServerMessages.bell();

    @Test
    void clipboardFromTheTargetFollowsThePolicy() throws Exception {
        byte[][] everything = {SERVER_CUT, rawUpdate(8, 8, 4), SERVER_CAPS, SERVER_NOTIFY, FENCE, SERVER_PROVIDE,
            END_OF_CU, SERVER_REQUEST, BELL};
        assertToClient("CONTROL", "BOTH", everything, everything);
        assertToClient("VIEW", "BOTH", everything, new byte[][] {SERVER_CUT, rawUpdate(8, 8, 4), SERVER_CAPS,
            SERVER_NOTIFY, FENCE, SERVER_PROVIDE, END_OF_CU, BELL});
        assertToClient("CONTROL", "TO_TARGET", everything, new byte[][] {rawUpdate(8, 8, 4), SERVER_CAPS, FENCE,
            END_OF_CU, SERVER_REQUEST, BELL});
        assertToClient("VIEW", "TO_TARGET", everything, new byte[][] {rawUpdate(8, 8, 4), SERVER_CAPS, FENCE,
            END_OF_CU, BELL});
        assertToClient("CONTROL", "NONE", everything, new byte[][] {rawUpdate(8, 8, 4), SERVER_CAPS, FENCE,
            END_OF_CU, BELL});
    }

    private void assertToClient(String mode, String clipboard, byte[][] sent, byte[][] expected) throws Exception {
        try (Session s = open(mode, clipboard)) {
            // One write: the broker sees the messages in few reads and has to cut inside them.
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            for (byte[] m : sent) {
                all.writeBytes(m);
            }
            s.device().send(all.toByteArray());
            // Then byte by byte: a cut text's header arrives in pieces and must be held until it is known.
            for (byte[] m : sent) {
                for (byte b : m) {
                    s.device().send(new byte[] {b});
                }
            }
            List<String> got = new ArrayList<>();
            for (int i = 0; i < 2 * expected.length; i++) {
                got.add(java.util.HexFormat.of().formatHex(s.client().readMessage()));
            }
            List<String> want = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                for (byte[] m : expected) {
                    want.add(java.util.HexFormat.of().formatHex(m));
                }
            }
            assertThat(got).as("%s %s", mode, clipboard).isEqualTo(want);
        }
    }

    @Test
    void rectanglesAreMeasuredInThePixelFormatTheClientAskedFor() throws Exception {
        PixelFormat rgb565 = new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0);
        try (Session s = open("CONTROL", "BOTH")) {
            s.device().send(rawUpdate(4, 4, 4));
            assertThat(s.client().readMessage()).isEqualTo(rawUpdate(4, 4, 4));
            s.client().pixelFormat(rgb565);
            assertThat(s.device().next()).isEqualTo(new ClientMessage.SetPixelFormat(rgb565));
            // In 16 bpp a 10x10 raw rectangle is 200 bytes: the bell behind it is only found if the relay knows.
            s.device().send(rawUpdate(10, 10, 2), SERVER_CUT, BELL);
            assertThat(s.client().readMessage()).isEqualTo(rawUpdate(10, 10, 2));
            assertThat(s.client().readMessage()).isEqualTo(SERVER_CUT);
            assertThat(s.client().readMessage()).isEqualTo(BELL);
        }
    }

    @Test
    void aDeviceMessageThatCannotBeFramedEndsTheSessionCleanly() throws Exception {
        try (Session s = open("CONTROL", "BOTH")) {
            s.device().send(BELL, new byte[] {(byte) 0x7f, 0, 0, 0});
            assertThat(s.client().readMessage()).isEqualTo(BELL);
            assertThat(s.client().awaitClosed(5000)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> s.claim().endReport != null);
            assertThat(s.claim().endReport.getString("reason")).isEqualTo("device_protocol_error");
        }
    }

    @Test
    void aClientMessageThatCannotBeFramedEndsTheSessionCleanly() throws Exception {
        try (Session s = open("CONTROL", "BOTH")) {
            s.client().sendRaw(new byte[] {(byte) 249, 0, 0, 0});
            assertThat(s.client().awaitClosed(5000)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> s.claim().endReport != null);
            assertThat(s.claim().endReport.getString("reason")).isEqualTo("client_protocol_error");
        }
    }
}
