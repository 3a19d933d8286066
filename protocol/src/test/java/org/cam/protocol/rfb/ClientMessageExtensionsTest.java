package org.cam.protocol.rfb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.cam.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

/** Every client message of RFC 6143 and the registry extensions: round trips, any chunking, truncation, rejects. */
class ClientMessageExtensionsTest {

    static final List<ClientMessage> ALL = List.of(
            new ClientMessage.SetPixelFormat(PixelFormat.RGB888),
            new ClientMessage.SetEncodings(List.of(16, 7, 5, 1, 0, -223, -308, -312, -313, Encodings.EXTENDED_CLIPBOARD)),
            new ClientMessage.FramebufferUpdateRequest(true, 0, 0, 1024, 768),
            new ClientMessage.KeyEvent(true, 0xff0d),
            new ClientMessage.PointerEvent(1, 5, 6),
            new ClientMessage.ClientCutText("clip"),
            new ClientMessage.ExtendedClipboardMessage(ExtendedClipboard.CAPS | ExtendedClipboard.TEXT,
                    new byte[] {0, 0, 0x10, 0}),
            new ClientMessage.ExtendedClipboardMessage(ExtendedClipboard.NOTIFY | ExtendedClipboard.TEXT, new byte[0]),
            new ClientMessage.ExtendedClipboardMessage(ExtendedClipboard.PROVIDE | ExtendedClipboard.TEXT,
                    new byte[] {0x78, (byte) 0x9c, 1, 2, 3}),
            new ClientMessage.EnableContinuousUpdates(true, 0, 0, 800, 600),
            new ClientMessage.ClientFence(0x80000003, new byte[] {1, 2, 3, 4}),
            new ClientMessage.ClientFence(0, new byte[64]),
            new ClientMessage.Xvp(1, 3),
            new ClientMessage.SetDesktopSize(1280, 800, List.of(new ClientMessage.Screen(7, 0, 0, 1280, 800, 0),
                    new ClientMessage.Screen(-1, 1280, 0, 640, 480, 0))),
            new ClientMessage.Gii(true, 1, new byte[] {0, 1}),
            new ClientMessage.Gii(false, ClientMessage.Gii.EVENTS, new byte[300]),
            new ClientMessage.QemuExtendedKeyEvent(true, 0x61, 0x1e),
            new ClientMessage.QemuAudio(ClientMessage.QemuAudio.ENABLE, 0, 0, 0),
            new ClientMessage.QemuAudio(ClientMessage.QemuAudio.DISABLE, 0, 0, 0),
            new ClientMessage.QemuAudio(ClientMessage.QemuAudio.SET_FORMAT, 3, 2, 44100));

    private static byte[] stream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ALL.forEach(m -> out.writeBytes(m.encode()));
        return out.toByteArray();
    }

    @Test
    void everyMessageRoundTripsWhateverTheChunking() throws Exception {
        byte[] all = stream();
        for (int chunk = 1; chunk <= 17; chunk++) {
            ClientMessageParser p = new ClientMessageParser(4096);
            List<ClientMessageParser.Frame> frames = new java.util.ArrayList<>();
            for (int i = 0; i < all.length; i += chunk) {
                p.feed(all, i, Math.min(chunk, all.length - i));
                frames.addAll(p.drain());
            }
            assertThat(frames).hasSize(ALL.size());
            for (int i = 0; i < ALL.size(); i++) {
                assertThat(frames.get(i).raw()).as("message %d raw", i).isEqualTo(ALL.get(i).encode());
                assertThat(frames.get(i).message().encode()).as("message %d re-encoded", i)
                        .isEqualTo(ALL.get(i).encode());
                assertThat(frames.get(i).message().getClass()).isEqualTo(ALL.get(i).getClass());
            }
            assertThat(p.buffered()).isZero();
        }
    }

    @Test
    void everyPrefixAsksForMoreAndNeverThrows() throws Exception {
        for (ClientMessage m : ALL) {
            byte[] b = m.encode();
            for (int n = 0; n < b.length; n++) {
                assertThat(ClientMessageParser.frameLength(b, 0, n, 4096)).as("%s prefix %d", m, n)
                        .isIn(0, b.length);
                ClientMessageParser p = new ClientMessageParser(4096);
                p.feed(b, 0, n);
                assertThat(p.next()).isNull();
                assertThatThrownBy(() -> ClientMessageParser.decode(b, 0, b.length - 1, 4096))
                        .isInstanceOf(ProtocolException.class);
            }
        }
    }

    @Test
    void effectsSayWhatAViewSessionDrops() {
        assertThat(ALL.stream().filter(m -> m.effect() == ClientMessage.Effect.INPUT).map(m -> m.getClass()
                .getSimpleName()).distinct()).containsExactlyInAnyOrder("KeyEvent", "PointerEvent", "Gii",
                "QemuExtendedKeyEvent");
        assertThat(ALL.stream().filter(m -> m.effect() == ClientMessage.Effect.CLIPBOARD).map(m -> m.getClass()
                .getSimpleName()).distinct()).containsExactlyInAnyOrder("ClientCutText", "ExtendedClipboardMessage");
        assertThat(ALL.stream().filter(m -> m.effect() == ClientMessage.Effect.TARGET_CONTROL).map(m -> m.getClass()
                .getSimpleName()).distinct()).containsExactlyInAnyOrder("Xvp", "SetDesktopSize");
        assertThat(new ClientMessage.Gii(true, 1, new byte[2]).effect()).isEqualTo(ClientMessage.Effect.FLOW);
        assertThat(new ClientMessage.QemuAudio(0, 0, 0, 0).effect()).isEqualTo(ClientMessage.Effect.FLOW);
        assertThat(new ClientMessage.ClientFence(0, new byte[0]).isInput()).isFalse();
        assertThat(new ClientMessage.ClientCutText("x").isInput()).isTrue();
    }

    @Test
    void extendedClipboardActionsAreTold() {
        assertThat(ExtendedClipboard.action(ExtendedClipboard.CAPS | 1)).isEqualTo(ExtendedClipboard.Action.CAPS);
        assertThat(ExtendedClipboard.action(ExtendedClipboard.NOTIFY | 1))
                .isEqualTo(ExtendedClipboard.Action.SENDS_OWN);
        assertThat(ExtendedClipboard.action(ExtendedClipboard.PROVIDE | 1))
                .isEqualTo(ExtendedClipboard.Action.SENDS_OWN);
        assertThat(ExtendedClipboard.action(ExtendedClipboard.REQUEST | 1))
                .isEqualTo(ExtendedClipboard.Action.ASKS_PEER);
        assertThat(ExtendedClipboard.action(ExtendedClipboard.PEEK)).isEqualTo(ExtendedClipboard.Action.ASKS_PEER);
    }

    @Test
    void malformedMessagesAreRejectedWithAReason() {
        assertReject(new byte[] {7, 0, 0, 0}, "unknown client message type 7");
        assertReject(new byte[] {(byte) 249}, "unknown client message type 249");
        assertReject(new byte[] {(byte) 252, 0, 0, 0}, "unknown client message type 252");
        assertReject(new byte[] {(byte) 254}, "unknown client message type 254");
        assertReject(new byte[] {(byte) 255, 2, 0, 0}, "unknown QEMU client message sub-type 2");
        assertReject(new byte[] {(byte) 255, 1, 0, 3}, "unknown QEMU audio operation 3");
        assertReject(new byte[] {(byte) 248, 0, 0, 0, 0, 0, 0, 0, 65}, "fence payload over 64 bytes: 65");
        assertReject(new byte[] {6, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe},
                "extended clipboard length out of range: 2");
        assertReject(new byte[] {6, 0, 0, 0, (byte) 0x80, 0, 0, 0}, "extended clipboard length out of range: 2147483648");
        assertReject(new byte[] {6, 0, 0, 0, 0, 0, 0x10, 1}, "cut text length out of range: 4097");
        assertReject(new byte[] {6, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xef, (byte) 0xff},
                "extended clipboard length out of range: 4097");
        assertReject(new byte[] {2, 0, 0x04, 0x01}, "too many encodings: 1025");
    }

    private static void assertReject(byte[] b, String reason) {
        ClientMessageParser p = new ClientMessageParser(4096);
        p.feed(b);
        assertThatThrownBy(p::next).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
    }

    @Test
    void relayEncodingsKeepWhatBothFramersFollowAndNothingElse() {
        List<Integer> tiger = List.of(Encodings.TIGHT, Encodings.ZRLE, Encodings.HEXTILE, Encodings.RAW,
                Encodings.COPY_RECT, -24, -256 + 2, Encodings.CURSOR, Encodings.DESKTOP_SIZE,
                Encodings.EXTENDED_DESKTOP_SIZE, Encodings.DESKTOP_NAME, Encodings.LAST_RECT, Encodings.FENCE,
                Encodings.CONTINUOUS_UPDATES, Encodings.CURSOR_WITH_ALPHA, Encodings.QEMU_EXTENDED_KEY_EVENT,
                Encodings.EXTENDED_CLIPBOARD, Encodings.EXTENDED_MOUSE_BUTTONS, 0x574d5664, Encodings.TRLE,
                Encodings.ZLIB_HEX, Encodings.H264, Encodings.XVP, Encodings.GII, Encodings.TIGHT_PNG, -500, -765,
                Encodings.ZRLE);
        assertThat(RelayEncodings.filter(tiger)).containsExactly(Encodings.TIGHT, Encodings.ZRLE, Encodings.HEXTILE,
                Encodings.RAW, Encodings.COPY_RECT, -24, -254, Encodings.CURSOR, Encodings.DESKTOP_SIZE,
                Encodings.EXTENDED_DESKTOP_SIZE, Encodings.DESKTOP_NAME, Encodings.LAST_RECT, Encodings.FENCE,
                Encodings.CONTINUOUS_UPDATES, Encodings.QEMU_EXTENDED_KEY_EVENT, Encodings.EXTENDED_CLIPBOARD,
                Encodings.XVP, Encodings.GII, Encodings.TIGHT_PNG, -500, -765);
    }
}
