package org.cam.protocol.rfb;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.cam.protocol.ProtocolException;

class RfbPropertiesTest {

    @Provide
    Arbitrary<ClientMessage> messages() {
        Arbitrary<Integer> u16 = Arbitraries.integers().between(0, 0xffff);
        Arbitrary<ClientMessage> pf = Combinators.combine(Arbitraries.of(8, 16, 32), Arbitraries.integers().between(1, 32),
                        Arbitraries.of(true, false), u16, u16, u16, Arbitraries.integers().between(0, 31))
                .as((bpp, depth, be, rm, gm, bm, sh) -> new ClientMessage.SetPixelFormat(
                        new PixelFormat(bpp, depth, be, true, rm, gm, bm, sh, (sh + 8) % 32, (sh + 16) % 32)));
        Arbitrary<ClientMessage> enc = Arbitraries.integers().list().ofMaxSize(40).map(ClientMessage.SetEncodings::new);
        Arbitrary<ClientMessage> fur = Combinators.combine(Arbitraries.of(true, false), u16, u16, u16, u16)
                .as(ClientMessage.FramebufferUpdateRequest::new);
        Arbitrary<ClientMessage> key = Combinators.combine(Arbitraries.of(true, false), Arbitraries.integers())
                .as(ClientMessage.KeyEvent::new);
        Arbitrary<ClientMessage> ptr = Combinators.combine(Arbitraries.integers().between(0, 255), u16, u16)
                .as(ClientMessage.PointerEvent::new);
        Arbitrary<ClientMessage> cut = Arbitraries.strings().withCharRange('\u0000', '\u00ff').ofMaxLength(300)
                .map(ClientMessage.ClientCutText::new);
        return Arbitraries.oneOf(pf, enc, fur, key, ptr, cut);
    }

    @Provide
    Arbitrary<List<ClientMessage>> messageLists() {
        return messages().list().ofMaxSize(20);
    }

    @Property(tries = 300)
    void streamOfMessagesRoundTripsUnderAnyChunking(@ForAll("messageLists") List<ClientMessage> msgs,
                                                     @ForAll long seed) throws ProtocolException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        msgs.forEach(m -> out.writeBytes(m.encode()));
        byte[] stream = out.toByteArray();
        Random rnd = new Random(seed);
        ClientMessageParser p = new ClientMessageParser();
        List<ClientMessage> got = new ArrayList<>();
        int i = 0;
        while (i < stream.length) {
            int n = Math.min(stream.length - i, 1 + rnd.nextInt(64));
            p.feed(stream, i, n);
            i += n;
            got.addAll(p.drain().stream().map(ClientMessageParser.Frame::message).toList());
        }
        assertThat(got).isEqualTo(msgs);
        assertThat(p.buffered()).isZero();
    }

    @Property(tries = 200)
    void serverInitRoundTrips(@ForAll("names") String name, @ForAll("sizes") int w, @ForAll("sizes") int h)
            throws ProtocolException {
        ServerInit si = new ServerInit(w, h, PixelFormat.RGB888, name);
        byte[] b = si.encode();
        assertThat(ServerInit.decode(b, 0, b.length)).isEqualTo(si);
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().alpha().numeric().withChars(' ', '-', 'é').ofMaxLength(100);
    }

    @Provide
    Arbitrary<Integer> sizes() {
        return Arbitraries.integers().between(0, 0xffff);
    }
}
