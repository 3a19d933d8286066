package org.cam.protocol.rfb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.cam.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

/**
 * Server-to-client framing: every message and rectangle encoding the relay lets through, in any chunking; the pixel
 * format followed; truncated input waits; malformed input is rejected with a reason; random input only ever throws
 * ProtocolException.
 */
class ServerMessageFramerTest {

    private static final PixelFormat RGB565 = new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0);

    /** Every message, every encoding, at 32 bpp depth 24 (Tight's 3-byte TPIXEL). */
    static ServerStreams everything(long seed) {
        ServerStreams s = new ServerStreams(seed);
        s.update(s.raw(33, 17, 4), s.copyRect(), s.rre(3, 4, false), s.rre(0, 4, true), s.rre(5, 4, true),
                s.hextile(50, 37, 4), s.hextile(0, 10, 4), s.u32Data(Encodings.ZRLE, 300),
                s.u32Data(Encodings.ZLIB, 0), s.u32Data(Encodings.ZYWRLE, 20), s.u32Data(Encodings.DESKTOP_NAME, 9));
        s.update(s.tightFill(3), s.tightCompressed(Encodings.TIGHT, 9, 100), s.tightCompressed(Encodings.TIGHT, 9, 300),
                s.tightCompressed(Encodings.TIGHT, 9, 20_000), s.tightCompressed(Encodings.TIGHT_PNG, 10, 77),
                s.tightCopy(2, 1, 3, false, 0), s.tightCopy(2, 2, 3, true, 40), s.tightCopy(64, 64, 3, false, 5000),
                s.tightGradient(10, 10, 3, 120), s.tightPalette(20, 10, 2, 3, 30), s.tightPalette(3, 3, 2, 3, 0),
                s.tightPalette(30, 30, 16, 3, 700), s.tightPalette(2, 2, 200, 3, 0));
        s.update(s.cursor(17, 9, 4), s.cursor(0, 0, 4), s.xCursor(16, 16), s.xCursor(0, 0), s.extendedDesktopSize(2),
                s.empty(Encodings.DESKTOP_SIZE), s.empty(Encodings.POINTER_POS),
                s.empty(Encodings.QEMU_EXTENDED_KEY_EVENT), s.empty(Encodings.QEMU_AUDIO),
                s.empty(Encodings.QEMU_POINTER_MOTION_CHANGE), s.ledState());
        s.update(0xffff, s.raw(4, 4, 4), s.empty(Encodings.LAST_RECT));
        s.update();
        s.colourMap(3).bell().cutText("hello").extendedClipboard(ExtendedClipboard.CAPS | 1, 4)
                .extendedClipboard(ExtendedClipboard.NOTIFY | 1, 0).extendedClipboard(ExtendedClipboard.PROVIDE | 1, 50)
                .endOfContinuousUpdates().fence(0).fence(64).xvp(1).gii(true, 2).gii(false, 260).qemuAudio(0, 0)
                .qemuAudio(1, 0).qemuAudio(2, 1000).cutText("");
        return s;
    }

    @Test
    void everyMessageEndsWhereItShouldWhateverTheChunking() throws Exception {
        for (int seed = 0; seed < 40; seed++) {
            ServerStreams s = everything(seed);
            byte[] all = s.bytes();
            Random rnd = new Random(seed);
            ServerMessageFramer f = new ServerMessageFramer(PixelFormat.RGB888);
            List<ServerStreams.Boundary> seen = new ArrayList<>();
            int i = 0;
            while (i < all.length) {
                int n = seed == 0 ? 1 : Math.min(all.length - i, 1 + rnd.nextInt(seed < 20 ? 40 : 70_000));
                ByteBuffer b = ByteBuffer.wrap(all, i, n);
                while (b.hasRemaining()) {
                    if (f.advance(b)) {
                        seen.add(new ServerStreams.Boundary(f.offset(), f.kind()));
                    }
                }
                i += n;
            }
            assertThat(seen).as("seed %d", seed).isEqualTo(s.boundaries());
            assertThat(f.messages()).isEqualTo(s.boundaries().size());
            assertThat(f.atBoundary()).isTrue();
        }
    }

    @Test
    void aCutTextIsKnownBeforeItsContentAndAnExtendedOneByItsFlags() throws Exception {
        ServerStreams s = new ServerStreams(1).cutText("secret").extendedClipboard(ExtendedClipboard.PROVIDE | 1, 30)
                .extendedClipboard(ExtendedClipboard.REQUEST | 1, 0);
        byte[] b = s.bytes();
        ServerMessageFramer f = new ServerMessageFramer(PixelFormat.RGB888);
        f.advance(ByteBuffer.wrap(b, 0, 7));
        assertThat(f.kind()).isNull();
        assertThat(f.messageType()).isEqualTo(3);
        f.advance(ByteBuffer.wrap(b, 7, 2));
        assertThat(f.kind()).isEqualTo(ServerMessageFramer.Kind.CUT_TEXT);
        assertThat(f.advance(ByteBuffer.wrap(b, 9, 5))).isTrue();
        assertThat(f.messageStart()).isZero();
        f.advance(ByteBuffer.wrap(b, 14, 10));
        assertThat(f.kind()).isNull();
        assertThat(f.messageStart()).isEqualTo(14);
        f.advance(ByteBuffer.wrap(b, 24, 4));
        assertThat(f.kind()).isEqualTo(ServerMessageFramer.Kind.EXTENDED_CLIPBOARD);
        assertThat(f.clipboardAction()).isEqualTo(ExtendedClipboard.Action.SENDS_OWN);
        assertThat(f.advance(ByteBuffer.wrap(b, 28, 28))).isTrue();
        assertThat(f.advance(ByteBuffer.wrap(b, 56, 12))).isTrue();
        assertThat(f.clipboardAction()).isEqualTo(ExtendedClipboard.Action.ASKS_PEER);
    }

    @Test
    void rectanglesFollowTheClientsPixelFormatFromTheNextUpdate() throws Exception {
        ServerStreams s = new ServerStreams(2);
        s.update(s.raw(10, 10, 4));
        s.update(s.raw(10, 10, 2), s.hextile(20, 20, 2), s.tightFill(2), s.tightCopy(4, 4, 2, false, 20),
                s.cursor(5, 5, 2), s.rre(2, 2, false));
        byte[] b = s.bytes();
        ServerMessageFramer f = new ServerMessageFramer(PixelFormat.RGB888);
        int first = (int) s.boundaries().get(0).end();
        // The format change arrives while the first update is on its way: it still counts in the old format.
        ByteBuffer bb = ByteBuffer.wrap(b, 0, 20);
        f.advance(bb);
        f.pixelFormat(RGB565);
        ByteBuffer rest = ByteBuffer.wrap(b, 20, b.length - 20);
        assertThat(f.advance(rest)).isTrue();
        assertThat(rest.position()).isEqualTo(first);
        assertThat(f.currentPixelFormat()).isEqualTo(PixelFormat.RGB888);
        assertThat(f.advance(rest)).isTrue();
        assertThat(rest.hasRemaining()).isFalse();
        assertThat(f.currentPixelFormat()).isEqualTo(RGB565);
    }

    @Test
    void aPrefixNeverEndsAMessageNorThrows() throws Exception {
        byte[] all = everything(3).bytes();
        long firstEnd = everything(3).boundaries().get(0).end();
        for (int n = 0; n < firstEnd; n += 7) {
            ServerMessageFramer f = new ServerMessageFramer(PixelFormat.RGB888);
            assertThat(f.advance(ByteBuffer.wrap(all, 0, n))).isFalse();
            assertThat(f.offset()).isEqualTo(n);
        }
    }

    @Test
    void malformedStreamsAreRejectedWithAReason() {
        assertReject(new byte[] {4}, "unknown server message type 4");
        assertReject(new byte[] {(byte) 252, 0}, "unknown server message type 252");
        assertReject(new byte[] {(byte) 255, 0, 0, 0}, "unknown QEMU server message sub-type 0");
        assertReject(new byte[] {(byte) 255, 1, 0, 3}, "unknown QEMU audio operation 3");
        assertReject(new byte[] {(byte) 248, 0, 0, 0, 0, 0, 0, 0, 65}, "fence payload over 64 bytes: 65");
        assertReject(new byte[] {3, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfd},
                "extended clipboard length out of range: 3");
        byte[] trle = concat(ServerMessages.framebufferUpdateHeader(1), ServerStreams.header(16, 16, Encodings.TRLE));
        assertReject(trle, "rectangle encoding TRLE cannot be framed (never asked for)");
        byte[] alpha = concat(ServerMessages.framebufferUpdateHeader(1),
                ServerStreams.header(16, 16, Encodings.CURSOR_WITH_ALPHA));
        assertReject(alpha, "rectangle encoding encoding(-314) cannot be framed (never asked for)");
        byte[] tightBad = concat(ServerMessages.framebufferUpdateHeader(1),
                ServerStreams.header(16, 16, Encodings.TIGHT), new byte[] {(byte) 0xa0});
        assertReject(tightBad, "bad Tight compression control 160");
        byte[] filterBad = concat(ServerMessages.framebufferUpdateHeader(1),
                ServerStreams.header(16, 16, Encodings.TIGHT), new byte[] {0x40, 3});
        assertReject(filterBad, "bad Tight filter 3");
    }

    private static void assertReject(byte[] b, String reason) {
        ServerMessageFramer f = new ServerMessageFramer(PixelFormat.RGB888);
        assertThatThrownBy(() -> f.advance(ByteBuffer.wrap(b))).isInstanceOfSatisfying(ProtocolException.class,
                e -> {
                    assertThat(e.reason()).isEqualTo(reason);
                    assertThat(e.offset()).isBetween(1, b.length);
                });
        assertThatThrownBy(() -> f.advance(ByteBuffer.wrap(b))).isInstanceOf(IllegalStateException.class);
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void mutatedStreamsOnlyEverThrowProtocolException() {
        Random rnd = new Random(0xF4A3E);
        int completed = 0;
        int rejects = 0;
        for (int iter = 0; iter < 3000; iter++) {
            byte[] b = everything(iter).bytes();
            int flips = 1 + rnd.nextInt(6);
            for (int k = 0; k < flips; k++) {
                b[rnd.nextInt(Math.min(b.length, 4000))] = (byte) rnd.nextInt(256);
            }
            ServerMessageFramer f = new ServerMessageFramer(PixelFormat.RGB888);
            try {
                int i = 0;
                while (i < b.length) {
                    int n = Math.min(b.length - i, 1 + rnd.nextInt(3000));
                    ByteBuffer bb = ByteBuffer.wrap(b, i, n);
                    while (bb.hasRemaining()) {
                        f.advance(bb);
                    }
                    i += n;
                }
                completed++;
            } catch (ProtocolException e) {
                rejects++;
                assertThat(e.offset()).isBetween(0, b.length);
            }
        }
        assertThat(completed).isPositive();
        assertThat(rejects).isPositive();
    }
}
