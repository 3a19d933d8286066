package org.cam.protocol.ticket;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.discovery.DiscoveryFixtures;
import org.junit.jupiter.api.Test;

/**
 * Feeds random and mutated tokens to the verifier: nothing but {@link ProtocolException} with a documented reason,
 * and nothing accepted that the signer did not produce. Smaller than the discovery fuzz: most mutated payloads
 * reach Ed25519 verification, which costs tens of microseconds.
 */
class TicketFuzzTest {

    private static final int ITERATIONS = 25_000;
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    @Test
    void verifierThrowsNothingButProtocolException() {
        long seed = Long.getLong("cam.fuzz.seed", System.nanoTime());
        Random r = new Random(seed);
        MutableClock clock = new MutableClock(NOW);
        TicketSigner signer = new TicketSigner(TicketTest.KEYS.getPrivate(), "k1", clock);
        TicketVerifier verifier = new TicketVerifier(Map.of("k1", TicketTest.KEYS.getPublic()), clock, Duration.ZERO);
        List<String> corpus = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            corpus.add(signer.issue(DiscoveryFixtures.randomText(r, 64), DiscoveryFixtures.randomText(r, 128),
                    DiscoveryFixtures.randomText(r, 64), r.nextBoolean() ? TicketMode.CONTROL : TicketMode.VIEW,
                    "aud", Duration.ofMinutes(1)));
        }
        Map<String, Integer> reasons = new TreeMap<>();
        int accepted = 0;
        long start = System.nanoTime();
        for (int n = 0; n < ITERATIONS; n++) {
            String original = corpus.get(r.nextInt(corpus.size()));
            String input = mutate(r, original);
            try {
                verifier.verify(input, "aud");
                accepted++;
                assertThat(input).as("accepted only unmodified tokens").isEqualTo(original);
            } catch (ProtocolException e) {
                assertThat(TicketReasons.ALL).as(e.getMessage()).contains(e.reason());
                reasons.merge(e.reason(), 1, Integer::sum);
            } catch (RuntimeException | Error e) {
                throw new AssertionError("verifier threw " + e + " seed=" + seed + " input=" + input, e);
            }
        }
        System.out.printf("ticket fuzz: %,d tokens in %,d ms, %,d accepted, seed %d%n", ITERATIONS,
                (System.nanoTime() - start) / 1_000_000, accepted, seed);
        System.out.println("ticket fuzz rejects by reason: " + reasons);
        assertThat(reasons.keySet()).contains("malformed", "bad signature", "unknown key", "too large");
    }

    private static String mutate(Random r, String token) {
        String[] parts = token.split("\\.");
        switch (r.nextInt(7)) {
            case 0: { // random printable text
                char[] c = new char[r.nextInt(1200)];
                for (int i = 0; i < c.length; i++) {
                    c[i] = (char) (0x20 + r.nextInt(0x5F));
                }
                return new String(c);
            }
            case 1: { // random base64url parts
                byte[] p = new byte[r.nextInt(600)];
                byte[] s = new byte[r.nextBoolean() ? 64 : r.nextInt(100)];
                r.nextBytes(p);
                r.nextBytes(s);
                return "v1." + B64.encodeToString(p) + "." + B64.encodeToString(s);
            }
            case 2: { // payload bytes mutated and re-encoded: reaches the payload parser and the signature check
                byte[] p = Base64.getUrlDecoder().decode(parts[1]);
                for (int k = 1 + r.nextInt(3); k > 0; k--) {
                    p[r.nextInt(p.length)] ^= (byte) (1 << r.nextInt(8));
                }
                if (r.nextInt(4) == 0) {
                    p = java.util.Arrays.copyOf(p, r.nextInt(p.length + 20));
                }
                return "v1." + B64.encodeToString(p) + "." + parts[2];
            }
            case 3: { // signature bytes mutated
                byte[] s = Base64.getUrlDecoder().decode(parts[2]);
                s[r.nextInt(s.length)] ^= (byte) (1 << r.nextInt(8));
                return "v1." + parts[1] + "." + B64.encodeToString(s);
            }
            case 4: // truncation
                return token.substring(0, r.nextInt(token.length()));
            case 5: { // one character replaced
                int i = r.nextInt(token.length());
                return token.substring(0, i) + (char) r.nextInt(0x100) + token.substring(i + 1);
            }
            default: // key id swapped: same payload layout, other key id bytes
                byte[] p = Base64.getUrlDecoder().decode(parts[1]);
                p[2] = (byte) ('a' + r.nextInt(26));
                return "v1." + B64.encodeToString(p) + "." + parts[2];
        }
    }
}
