package org.cam.protocol.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.cam.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

/**
 * Feeds at least 1,000,000 random and mutated datagrams to the decoder, each to a keyless and a keyed codec, and
 * checks that nothing but {@link ProtocolException} (with a documented reason and a sane offset) ever comes out,
 * that a keyed codec accepts only datagrams byte-identical to ones signed with its key, and that whatever is
 * accepted re-encodes to something that decodes the same.
 *
 * <p>{@code -Dcam.fuzz.iterations=N} raises the count (never below 1,000,000); {@code -Dcam.fuzz.seed=S} replays a
 * run (the seed is printed).
 */
class DiscoveryFuzzTest {

    private static final int MIN_ITERATIONS = 1_000_000;

    private final DiscoveryCodec plain = DiscoveryCodec.unsigned();
    private final DiscoveryCodec keyed = DiscoveryCodec.signed(DiscoveryFixtures.KEY);

    @Test
    void decoderThrowsNothingButProtocolException() {
        long seed = Long.getLong("cam.fuzz.seed", System.nanoTime());
        int iterations = Math.max(MIN_ITERATIONS, Integer.getInteger("cam.fuzz.iterations", MIN_ITERATIONS));
        Random rnd = new Random(seed);

        List<byte[]> corpus = new ArrayList<>();
        Set<ByteBuffer> signedWithKey = new HashSet<>();
        DiscoveryCodec other = DiscoveryCodec.signed(DiscoveryFixtures.OTHER_KEY);
        for (int i = 0; i < 300; i++) {
            DiscoveryMessage m = DiscoveryFixtures.randomMessage(rnd);
            byte[] s = keyed.encode(m);
            corpus.add(plain.encode(m));
            corpus.add(s);
            corpus.add(other.encode(m));
            signedWithKey.add(ByteBuffer.wrap(s));
        }

        Map<String, Integer> reasons = new TreeMap<>();
        long accepted = 0;
        long decodes = 0;
        long start = System.nanoTime();
        for (int n = 0; n < iterations; n++) {
            byte[] input = mutate(rnd, corpus.get(rnd.nextInt(corpus.size())));
            for (DiscoveryCodec codec : new DiscoveryCodec[] {plain, keyed}) {
                decodes++;
                try {
                    DiscoveryMessage m = codec.decode(input, 0, input.length);
                    accepted++;
                    if (codec == keyed && !signedWithKey.contains(ByteBuffer.wrap(input))) {
                        throw new AssertionError("keyed codec accepted a datagram it never signed: " + hex(input));
                    }
                    assertThat(plain.decode(plain.encode(m))).isEqualTo(m);
                } catch (ProtocolException e) {
                    if (!DiscoveryReasons.ALL.contains(e.reason()) || e.offset() < -1 || e.offset() > input.length) {
                        throw new AssertionError("undocumented reject " + e.getMessage() + " seed=" + seed
                                + " input=" + hex(input), e);
                    }
                    reasons.merge(e.reason(), 1, Integer::sum);
                } catch (RuntimeException | Error e) {
                    throw new AssertionError("decoder threw " + e + " seed=" + seed + " input=" + hex(input), e);
                }
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("discovery fuzz: %,d datagrams (%,d decodes) in %,d ms, %,d accepted, seed %d%n",
                iterations, decodes, millis, accepted, seed);
        System.out.println("discovery fuzz rejects by reason: " + reasons);
        assertThat(iterations).isGreaterThanOrEqualTo(MIN_ITERATIONS);
        // The mutators must reach deep into the decoder, not just bounce off the magic.
        assertThat(reasons.keySet()).contains("bad signature", "missing signature", "truncated tlv",
                "duplicate tlv", "bad magic", "too large", "unexpected tlv");
        assertThat(reasons.keySet().stream().filter(r -> r.startsWith("bad field: ")).count()).isGreaterThan(5);
        assertThat(accepted).isPositive();
    }

    static byte[] mutate(Random r, byte[] seed) {
        byte[] d = seed.clone();
        switch (r.nextInt(9)) {
            case 0: { // random bytes, any length up to a bit over the limit
                byte[] b = new byte[r.nextInt(1500)];
                r.nextBytes(b);
                return b;
            }
            case 1: { // random body behind a valid header
                byte[] b = new byte[12 + r.nextInt(400)];
                r.nextBytes(b);
                System.arraycopy(seed, 0, b, 0, 12);
                return b;
            }
            case 2: // bit flips
                for (int k = 1 + r.nextInt(3); k > 0; k--) {
                    int i = r.nextInt(d.length);
                    d[i] ^= (byte) (1 << r.nextInt(8));
                }
                return d;
            case 3: // truncation
                return java.util.Arrays.copyOf(d, r.nextInt(d.length));
            case 4: { // TLV length field edit: walk the TLVs and rewrite one length
                List<Integer> lengthAt = new ArrayList<>();
                for (int p = 12; p + 3 <= d.length; ) {
                    lengthAt.add(p + 1);
                    p += 3 + (((d[p + 1] & 0xFF) << 8) | (d[p + 2] & 0xFF));
                }
                if (!lengthAt.isEmpty()) {
                    int at = lengthAt.get(r.nextInt(lengthAt.size()));
                    int len = ((d[at] & 0xFF) << 8) | (d[at + 1] & 0xFF);
                    int[] choices = {0, 1, len - 1, len + 1, 0xFFFF, r.nextInt(0x10000), len + 32, 0x7FFF};
                    int v = choices[r.nextInt(choices.length)] & 0xFFFF;
                    d[at] = (byte) (v >>> 8);
                    d[at + 1] = (byte) v;
                }
                return d;
            }
            case 5: { // TLV type edit (duplicates, unknowns, device fields in DISCOVER)
                int p = 12;
                int target = r.nextInt(20);
                while (p + 3 <= d.length && target-- > 0) {
                    int next = p + 3 + (((d[p + 1] & 0xFF) << 8) | (d[p + 2] & 0xFF));
                    if (next + 3 > d.length) {
                        break;
                    }
                    p = next;
                }
                if (p < d.length) {
                    d[p] = (byte) (r.nextBoolean() ? r.nextInt(0x13) : r.nextInt(256));
                }
                return d;
            }
            case 6: { // duplicate a slice of the body (duplicate TLVs)
                if (d.length <= 13) {
                    return d;
                }
                int from = 12 + r.nextInt(d.length - 12);
                int len = 1 + r.nextInt(Math.min(60, d.length - from));
                byte[] out = new byte[d.length + len];
                System.arraycopy(d, 0, out, 0, from + len);
                System.arraycopy(d, from, out, from + len, d.length - from);
                return out;
            }
            case 7: { // append junk, sometimes beyond 1400 bytes
                byte[] out = java.util.Arrays.copyOf(d, d.length + 1 + r.nextInt(r.nextBoolean() ? 40 : 1400));
                for (int i = d.length; i < out.length; i++) {
                    out[i] = (byte) r.nextInt(256);
                }
                return out;
            }
            default: { // header field edit: version, type, flags (signed bit)
                int[] positions = {4, 5, 6, 7};
                int i = positions[r.nextInt(positions.length)];
                d[i] = (byte) (i == 6 ? d[i] ^ 0x80 : r.nextInt(5));
                return d;
            }
        }
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
