package org.cam.protocol.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.cam.protocol.ProtocolException;

class DiscoveryPropertiesTest {

    private final DiscoveryCodec plain = DiscoveryCodec.unsigned();
    private final DiscoveryCodec signed = DiscoveryCodec.signed(DiscoveryFixtures.KEY);

    @Provide
    Arbitrary<DiscoveryMessage> messages() {
        return DiscoveryFixtures.messages();
    }

    @Property(tries = 500)
    void unsignedRoundTrip(@ForAll("messages") DiscoveryMessage m) throws ProtocolException {
        byte[] wire = plain.encode(m);
        assertThat(wire.length).isLessThanOrEqualTo(DiscoveryCodec.MAX_DATAGRAM_SIZE);
        assertThat(plain.decode(wire)).isEqualTo(m);
    }

    @Property(tries = 500)
    void signedRoundTrip(@ForAll("messages") DiscoveryMessage m) throws ProtocolException {
        byte[] wire = signed.encode(m);
        assertThat(wire.length).isLessThanOrEqualTo(DiscoveryCodec.MAX_DATAGRAM_SIZE);
        assertThat(signed.decode(wire)).isEqualTo(m);
        // A manager without a key still understands signed datagrams (key rollout order: devices first).
        assertThat(plain.decode(wire)).isEqualTo(m);
    }

    @Property(tries = 300)
    void keyedDecoderRejectsUnsignedAndForeignKeys(@ForAll("messages") DiscoveryMessage m) {
        assertThatThrownBy(() -> signed.decode(plain.encode(m)))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.reason()).isEqualTo("missing signature"));
        byte[] foreign = DiscoveryCodec.signed(DiscoveryFixtures.OTHER_KEY).encode(m);
        assertThatThrownBy(() -> signed.decode(foreign))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.reason()).isEqualTo("bad signature"));
    }

    @Property(tries = 2000)
    void anySingleByteChangeOfASignedDatagramIsRejected(@ForAll("messages") DiscoveryMessage m,
                                                        @ForAll @IntRange(min = 0, max = 10_000) int position,
                                                        @ForAll @IntRange(min = 1, max = 255) int xor) {
        byte[] wire = signed.encode(m);
        int i = position % wire.length;
        wire[i] ^= (byte) xor;
        assertThatThrownBy(() -> signed.decode(wire)).isInstanceOf(ProtocolException.class);
    }

    /** Forward compatibility: unknown TLVs anywhere in the body change nothing. */
    @Property(tries = 500)
    void unknownTlvsAreIgnored(@ForAll("messages") DiscoveryMessage m,
                               @ForAll @IntRange(min = 0, max = 20) int skipTlvs,
                               @ForAll @IntRange(min = 0x12, max = 0xFF) int unknownType,
                               @ForAll @IntRange(min = 0, max = 200) int unknownLength) throws ProtocolException {
        byte[] wire = plain.encode(m);
        int at = 12; // insert after the skipTlvs-th TLV (or at the end)
        for (int i = 0; i < skipTlvs && at < wire.length; i++) {
            at += 3 + (((wire[at + 1] & 0xFF) << 8) | (wire[at + 2] & 0xFF));
        }
        byte[] extended = DiscoveryCodecTest.concat(java.util.Arrays.copyOf(wire, at),
                DiscoveryCodecTest.tlv(unknownType, new byte[unknownLength]),
                java.util.Arrays.copyOfRange(wire, at, wire.length));
        assertThat(plain.decode(extended)).isEqualTo(m);
    }

    @Property(tries = 300)
    void truncatedSignedDatagramsAreRejected(@ForAll("messages") DiscoveryMessage m,
                                             @ForAll @IntRange(min = 1, max = 10_000) int cut) {
        byte[] wire = signed.encode(m);
        int len = wire.length - 1 - (cut % wire.length);
        assertThatThrownBy(() -> signed.decode(wire, 0, len)).isInstanceOf(ProtocolException.class);
    }
}
