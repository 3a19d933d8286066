package org.cam.protocol.rfb;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.cam.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated input to the client-message parser: it may return frames, ask for more bytes or throw
 * ProtocolException, and nothing else (no IndexOutOfBounds, no NegativeArraySize, no OutOfMemory).
 */
class ClientMessageFuzzTest {

    private static final byte[][] SEEDS = ClientMessageExtensionsTest.ALL.stream().map(ClientMessage::encode)
            .toArray(byte[][]::new);

    @Test
    void parserOnlyEverThrowsProtocolException() {
        Random rnd = new Random(0xCA11);
        int frames = 0;
        int rejects = 0;
        for (int iter = 0; iter < 20_000; iter++) {
            byte[] input = nextInput(rnd);
            ClientMessageParser p = new ClientMessageParser(4096);
            try {
                int i = 0;
                while (i < input.length) {
                    int n = Math.min(input.length - i, 1 + rnd.nextInt(32));
                    p.feed(input, i, n);
                    i += n;
                    frames += p.drain().size();
                }
            } catch (ProtocolException e) {
                rejects++;
                assertThat(e.offset()).isBetween(0, input.length);
            }
        }
        // The generator is meant to produce both outcomes; if one never happens the fuzzing is not fuzzing.
        assertThat(frames).isPositive();
        assertThat(rejects).isPositive();
    }

    private static byte[] nextInput(Random rnd) {
        if (rnd.nextInt(4) == 0) {
            byte[] b = new byte[rnd.nextInt(64)];
            rnd.nextBytes(b);
            return b;
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int n = 1 + rnd.nextInt(4);
        for (int k = 0; k < n; k++) {
            out.writeBytes(SEEDS[rnd.nextInt(SEEDS.length)]);
        }
        byte[] b = out.toByteArray();
        int flips = rnd.nextInt(4);
        for (int k = 0; k < flips; k++) {
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
        }
        if (rnd.nextInt(5) == 0) {
            b = java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1));
        }
        return b;
    }
}
