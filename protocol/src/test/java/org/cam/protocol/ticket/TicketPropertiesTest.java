package org.cam.protocol.ticket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.discovery.DiscoveryFixtures;

class TicketPropertiesTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

    private final MutableClock clock = new MutableClock(NOW);
    private final TicketSigner signer = new TicketSigner(TicketTest.KEYS.getPrivate(), "k1", clock);
    private final TicketVerifier verifier =
            new TicketVerifier(Map.of("k1", TicketTest.KEYS.getPublic()), clock, Duration.ofSeconds(2));

    @Provide
    Arbitrary<Ticket> tickets() {
        Arbitrary<Instant> issued = Arbitraries.longs().between(-60_000, 0).map(NOW::plusMillis);
        Arbitrary<Long> ttl = Arbitraries.longs().between(60_001, 3_600_000);
        return Combinators.combine(DiscoveryFixtures.text(64), DiscoveryFixtures.text(128), DiscoveryFixtures.text(64),
                        Arbitraries.of(TicketMode.class), issued, ttl, DiscoveryFixtures.text(128))
                .as((s, u, t, m, i, l, a) -> new Ticket(s, u, t, m, i, i.plusMillis(l), a));
    }

    @Property(tries = 200)
    void roundTrip(@ForAll("tickets") Ticket t) throws ProtocolException {
        String token = signer.sign(t);
        assertThat(token.length()).isLessThanOrEqualTo(TicketFormat.MAX_TOKEN_CHARS);
        assertThat(verifier.verify(token, t.audience())).isEqualTo(t);
    }

    @Property(tries = 300)
    void anySingleCharacterChangeIsRejected(@ForAll("tickets") Ticket t,
                                            @ForAll @IntRange(min = 0, max = 2000) int position,
                                            @ForAll char replacement) {
        String token = signer.sign(t);
        int i = position % token.length();
        char c = token.charAt(i) == replacement ? (char) (replacement + 1) : replacement;
        String tampered = token.substring(0, i) + c + token.substring(i + 1);
        assertThatThrownBy(() -> verifier.verify(tampered, t.audience())).isInstanceOf(ProtocolException.class);
    }

    /** A well-formed payload with a changed claim (e.g. VIEW changed to CONTROL) fails the signature. */
    @Property(tries = 300)
    void alteredPayloadFailsTheSignature(@ForAll("tickets") Ticket t,
                                         @ForAll @IntRange(min = 0, max = 2000) int position,
                                         @ForAll @IntRange(min = 1, max = 255) int xor) {
        String token = signer.sign(t);
        String[] parts = token.split("\\.");
        byte[] payload = Base64.getUrlDecoder().decode(parts[1]);
        payload[position % payload.length] ^= (byte) xor;
        String tampered = "v1." + Base64.getUrlEncoder().withoutPadding().encodeToString(payload) + "." + parts[2];
        assertThatThrownBy(() -> verifier.verify(tampered, t.audience())).isInstanceOf(ProtocolException.class);
    }

    @Property(tries = 50)
    void modeChangeIsCaught(@ForAll("tickets") Ticket t) {
        Ticket other = new Ticket(t.sessionId(), t.user(), t.targetId(),
                t.mode() == TicketMode.VIEW ? TicketMode.CONTROL : TicketMode.VIEW, t.issuedAt(), t.expiresAt(),
                t.audience());
        String[] good = signer.sign(t).split("\\.");
        String[] forged = signer.sign(other).split("\\.");
        String spliced = "v1." + forged[1] + "." + good[2];
        assertThatThrownBy(() -> verifier.verify(spliced, t.audience()))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.reason()).isEqualTo("bad signature"));
        assertThat(new String(Base64.getUrlDecoder().decode(good[1]), StandardCharsets.UTF_8)).contains(t.user());
    }
}
