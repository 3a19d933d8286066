package org.cam.protocol.rfb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.List;
import org.cam.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

class RfbCodecTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void versionsEncodeAndMapUnknownMinors() throws Exception {
        assertThat(new String(RfbVersion.V3_8.encode(), StandardCharsets.US_ASCII)).isEqualTo("RFB 003.008\n");
        assertThat(RfbVersion.decode(ascii("RFB 003.003\n"), 0, 12)).isEqualTo(RfbVersion.V3_3);
        assertThat(RfbVersion.decode(ascii("RFB 003.007\n"), 0, 12)).isEqualTo(RfbVersion.V3_7);
        assertThat(RfbVersion.decode(ascii("RFB 003.889\n"), 0, 12)).isEqualTo(RfbVersion.V3_8);
        assertThat(RfbVersion.decode(ascii("RFB 003.005\n"), 0, 12)).isEqualTo(RfbVersion.V3_3);
        assertThatThrownBy(() -> RfbVersion.decode(ascii("RFB 004.000\n"), 0, 12))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> RfbVersion.decode(ascii("GET / HTTP/1"), 0, 12))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> RfbVersion.decode(ascii("RFB 003.0x8\n"), 0, 12))
                .isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).offset()).isEqualTo(9));
        assertThatThrownBy(() -> RfbVersion.decode(ascii("RFB 003"), 0, 7)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void vncAuthKeyReversesBitsAndVerifies() {
        // 'a' = 0110 0001 reversed is 1000 0110
        assertThat(VncAuth.key("a")[0]).isEqualTo((byte) 0x86);
        assertThat(VncAuth.key("abcdefghij")).hasSize(8);
        byte[] challenge = VncAuth.challenge(new SecureRandom());
        byte[] response = VncAuth.response(challenge, "secret12");
        assertThat(VncAuth.verify(challenge, response, "secret12")).isTrue();
        assertThat(VncAuth.verify(challenge, response, "secret12-and-more")).isTrue(); // only 8 chars count
        assertThat(VncAuth.verify(challenge, response, "secret13")).isFalse();
        assertThat(VncAuth.verify(challenge, new byte[3], "secret12")).isFalse();
    }

    @Test
    void vncAuthEncryptsEachHalfOfTheChallengeIndependently() {
        // ECB: equal 8-byte halves give equal cipher halves. Interoperability with a stock client's DES
        // (vncsnapshot's d3des) is checked end to end in device-simulator's RfbConsoleTest.
        byte[] r = VncAuth.response(new byte[16], "password");
        assertThat(r).hasSize(16);
        assertThat(java.util.Arrays.copyOfRange(r, 0, 8)).isEqualTo(java.util.Arrays.copyOfRange(r, 8, 16));
        assertThat(r).isNotEqualTo(new byte[16]);
    }

    @Test
    void securityHandshake() throws Exception {
        byte[] offer = Handshake.encodeSecurityTypes(RfbVersion.V3_8, List.of(SecurityType.VNC_AUTH, SecurityType.NONE));
        assertThat(offer).containsExactly(2, 2, 1);
        assertThat(Handshake.decodeSecurityTypes(offer, 0, 1)).isNull();
        assertThat(Handshake.decodeSecurityTypes(offer, 0, 3)).containsExactly(2, 1);
        assertThat(Handshake.encodeSecurityTypes(RfbVersion.V3_3, List.of(SecurityType.NONE))).containsExactly(0, 0, 0, 1);
        byte[] fail = Handshake.encodeSecurityFailure(RfbVersion.V3_8, "busy");
        assertThat(Handshake.securityTypesLength(fail, 0, fail.length)).isEqualTo(fail.length);
        assertThatThrownBy(() -> Handshake.decodeSecurityTypes(fail, 0, fail.length))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("busy");
        byte[] res = Handshake.encodeSecurityResult(RfbVersion.V3_8, false, "bad password");
        assertThat(Handshake.decodeReason(res, 4, res.length - 4)).isEqualTo("bad password");
        assertThat(Handshake.encodeSecurityResult(RfbVersion.V3_3, false, "x")).containsExactly(0, 0, 0, 1);
        Handshake.SecurityResult sr = Handshake.decodeSecurityResult(RfbVersion.V3_8, res, 0, res.length);
        assertThat(sr.ok()).isFalse();
        assertThat(sr.reason()).isEqualTo("bad password");
        assertThat(sr.length()).isEqualTo(res.length);
        assertThat(Handshake.decodeSecurityResult(RfbVersion.V3_8, res, 0, res.length - 1)).isNull();
        byte[] okRes = Handshake.encodeSecurityResult(RfbVersion.V3_8, true, null);
        assertThat(Handshake.decodeSecurityResult(RfbVersion.V3_8, okRes, 0, 4).ok()).isTrue();
        assertThatThrownBy(() -> Handshake.decodeSecurityResult(RfbVersion.V3_8, new byte[] {0, 0, 0, 9}, 0, 4))
                .isInstanceOf(ProtocolException.class);
        byte[] hostile = {0, 0x7f, 0, 0, 0};
        assertThatThrownBy(() -> Handshake.securityTypesLength(hostile, 0, 5)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void serverInitRoundTripAndBounds() throws Exception {
        ServerInit si = new ServerInit(1024, 768, PixelFormat.RGB888, "dev-1 ch 1");
        byte[] b = si.encode();
        assertThat(ServerInit.length(b, 0, 10)).isEqualTo(Integer.MAX_VALUE);
        assertThat(ServerInit.length(b, 0, b.length)).isEqualTo(b.length);
        assertThat(ServerInit.decode(b, 0, b.length)).isEqualTo(si);
        b[20] = (byte) 0x80;
        assertThatThrownBy(() -> ServerInit.length(b, 0, b.length)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void pixelFormatRejectsColourMapsAndOddDepths() throws Exception {
        byte[] b = PixelFormat.RGB888.encode();
        assertThat(PixelFormat.decode(b, 0, 16)).isEqualTo(PixelFormat.RGB888);
        byte[] cm = b.clone();
        cm[3] = 0;
        assertThatThrownBy(() -> PixelFormat.decode(cm, 0, 16)).isInstanceOf(ProtocolException.class);
        byte[] bpp = b.clone();
        bpp[0] = 24;
        assertThatThrownBy(() -> PixelFormat.decode(bpp, 0, 16)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> PixelFormat.decode(b, 0, 15)).isInstanceOf(ProtocolException.class);
        PixelFormat rgb565 = new PixelFormat(16, 16, false, true, 31, 63, 31, 11, 5, 0);
        assertThat(rgb565.pixel(0xffffff)).isEqualTo(0xffff);
        assertThat(rgb565.rgb(rgb565.pixel(0xff0000))).isEqualTo(0xff0000);
    }

    @Test
    void rectangleHeaderAndUpdateHeader() throws Exception {
        var h = new ServerMessages.RectangleHeader(1, 2, 3, 4, Encodings.DESKTOP_SIZE);
        assertThat(ServerMessages.RectangleHeader.decode(h.encode(), 0, 12)).isEqualTo(h);
        assertThat(ServerMessages.decodeFramebufferUpdateHeader(ServerMessages.framebufferUpdateHeader(300), 0, 4))
                .isEqualTo(300);
        assertThatThrownBy(() -> ServerMessages.decodeFramebufferUpdateHeader(new byte[] {2, 0, 0, 1}, 0, 4))
                .isInstanceOf(ProtocolException.class);
        assertThat(Encodings.name(Encodings.ZRLE)).isEqualTo("ZRLE");
    }

    @Test
    void parserReassemblesChunksAndKeepsRawBytes() throws Exception {
        List<ClientMessage> msgs = List.of(
                new ClientMessage.SetPixelFormat(PixelFormat.RGB888),
                new ClientMessage.SetEncodings(List.of(Encodings.ZRLE, Encodings.COPY_RECT, Encodings.RAW, -223)),
                new ClientMessage.FramebufferUpdateRequest(true, 0, 0, 1024, 768),
                new ClientMessage.KeyEvent(true, 0x61),
                new ClientMessage.PointerEvent(1, 100, 200),
                new ClientMessage.ClientCutText("hello"));
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (ClientMessage m : msgs) {
            all.writeBytes(m.encode());
        }
        byte[] stream = all.toByteArray();
        ClientMessageParser p = new ClientMessageParser();
        List<ClientMessage> got = new java.util.ArrayList<>();
        java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
        for (byte value : stream) { // one byte at a time: the worst chunking
            p.feed(new byte[] {value});
            ClientMessageParser.Frame f;
            while ((f = p.next()) != null) {
                got.add(f.message());
                raw.writeBytes(f.raw());
            }
        }
        assertThat(got).isEqualTo(msgs);
        assertThat(raw.toByteArray()).isEqualTo(stream);
        assertThat(p.buffered()).isZero();
        assertThat(got.stream().filter(ClientMessage::isInput).count()).isEqualTo(3);
    }

    @Test
    void parserRejectsUnknownTypesAndHugeLengthsWithStreamOffsets() throws Exception {
        ClientMessageParser p = new ClientMessageParser(16);
        p.feed(new ClientMessage.KeyEvent(true, 1).encode());
        p.feed(new byte[] {(byte) 200});
        assertThat(p.next()).isNotNull();
        assertThatThrownBy(p::next).isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).offset()).isEqualTo(8));

        ClientMessageParser cut = new ClientMessageParser(16);
        cut.feed(new ClientMessage.ClientCutText("x".repeat(17)).encode());
        assertThatThrownBy(cut::next).isInstanceOf(ProtocolException.class).hasMessageContaining("cut text");

        // A negative length is an extended clipboard message; shorter than its 4-byte flags it is malformed.
        ClientMessageParser neg = new ClientMessageParser();
        neg.feed(new byte[] {6, 0, 0, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xfe});
        assertThatThrownBy(neg::next).isInstanceOf(ProtocolException.class);

        ClientMessageParser enc = new ClientMessageParser();
        enc.feed(new byte[] {2, 0, (byte) 0xff, (byte) 0xff});
        assertThatThrownBy(enc::next).isInstanceOf(ProtocolException.class);

        ClientMessageParser pf = new ClientMessageParser();
        byte[] spf = new ClientMessage.SetPixelFormat(PixelFormat.RGB888).encode();
        spf[4] = 7;
        pf.feed(spf);
        assertThatThrownBy(pf::next).isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).offset()).isEqualTo(4));
    }

    @Test
    void decodeInsistsOnExactLength() {
        byte[] k = new ClientMessage.KeyEvent(false, 5).encode();
        byte[] longer = java.util.Arrays.copyOf(k, 9);
        assertThatThrownBy(() -> ClientMessageParser.decode(longer, 0, 9, 100)).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> ClientMessageParser.decode(k, 0, 7, 100)).isInstanceOf(ProtocolException.class);
    }
}
