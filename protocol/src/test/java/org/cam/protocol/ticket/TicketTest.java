package org.cam.protocol.ticket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.cam.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

class TicketTest {

    static final KeyPair KEYS = TicketKeys.generate();
    static final KeyPair OTHER = TicketKeys.generate();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00.123Z"));
    private final TicketSigner signer = new TicketSigner(KEYS.getPrivate(), "k1", clock);
    private final TicketVerifier verifier =
            new TicketVerifier(Map.of("k1", KEYS.getPublic()), clock, Duration.ofSeconds(5));

    @Test
    void issuedTicketVerifiesWithThePublicKeyOnly() throws Exception {
        String token = signer.issue("s-42", "ada", "target-7", TicketMode.VIEW, "cam-broker");
        assertThat(token).startsWith("v1.").matches("v1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{86}");
        Ticket t = verifier.verify(token, "cam-broker");
        assertThat(t.sessionId()).isEqualTo("s-42");
        assertThat(t.user()).isEqualTo("ada");
        assertThat(t.targetId()).isEqualTo("target-7");
        assertThat(t.mode()).isEqualTo(TicketMode.VIEW);
        assertThat(t.issuedAt()).isEqualTo(Instant.parse("2026-11-24T10:00:00.123Z"));
        assertThat(t.expiresAt()).isEqualTo(Instant.parse("2026-11-24T10:00:30.123Z"));
        assertThat(token.length()).isLessThan(200);
    }

    @Test
    void payloadIsReadableByAnyone() {
        // No secrets inside: a client can decode the claims without any key.
        String token = signer.issue("s-42", "ada", "target-7", TicketMode.CONTROL, "cam-broker");
        String payload = new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8);
        assertThat(payload).contains("s-42", "ada", "target-7", "cam-broker", "k1");
    }

    @Test
    void timeWindowWithSkew() throws Exception {
        String token = signer.issue("s", "u", "t", TicketMode.CONTROL, "aud");
        clock.advance(Duration.ofSeconds(34));
        assertThat(verifier.verify(token, "aud").user()).isEqualTo("u"); // 30 s + 5 s skew not yet over
        clock.advance(Duration.ofSeconds(1));
        assertReason(token, "aud", "expired");

        MutableClock early = new MutableClock(Instant.parse("2026-11-24T10:00:00.123Z").minusSeconds(6));
        TicketVerifier behind = new TicketVerifier(Map.of("k1", KEYS.getPublic()), early, Duration.ofSeconds(5));
        assertThatThrownBy(() -> behind.verify(token, "aud")).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo("not yet valid"));
        early.advance(Duration.ofSeconds(1));
        assertThat(behind.verify(token, "aud").user()).isEqualTo("u");
    }

    @Test
    void rejects() {
        String token = signer.issue("s", "u", "t", TicketMode.CONTROL, "aud");
        assertReason(token, "other-aud", "wrong audience");
        String foreign = new TicketSigner(OTHER.getPrivate(), "k1", clock).issue("s", "u", "t", TicketMode.CONTROL, "aud");
        assertReason(foreign, "aud", "bad signature");
        String unknownKid = new TicketSigner(OTHER.getPrivate(), "k2", clock).issue("s", "u", "t", TicketMode.CONTROL, "aud");
        assertReason(unknownKid, "aud", "unknown key");
        assertReason("v2." + token.substring(3), "aud", "unsupported version");
        assertReason("x" + token, "aud", "malformed");
        assertReason(token + ".x", "aud", "malformed");
        assertReason(token + "=", "aud", "malformed");
        assertReason(token.substring(0, token.lastIndexOf('.') + 1), "aud", "malformed");
        assertReason("v1." + "A".repeat(2000), "aud", "too large");
        assertReason("", "aud", "malformed");
        assertReason(null, "aud", "malformed");
    }

    @Test
    void keyRotationAcceptsEveryConfiguredKey() throws Exception {
        TicketVerifier both = new TicketVerifier(Map.of("k1", KEYS.getPublic(), "k2", OTHER.getPublic()), clock,
                Duration.ZERO);
        String t1 = signer.issue("s", "u", "t", TicketMode.CONTROL, "aud");
        String t2 = new TicketSigner(OTHER.getPrivate(), "k2", clock).issue("s", "u", "t", TicketMode.CONTROL, "aud");
        assertThat(both.verify(t1, "aud")).isEqualTo(both.verify(t2, "aud"));
    }

    @Test
    void pemRoundTripAndKeyIds() throws Exception {
        String privatePem = TicketKeys.toPem(KEYS.getPrivate());
        String publicPem = TicketKeys.toPem(KEYS.getPublic());
        assertThat(privatePem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
        assertThat(publicPem).startsWith("-----BEGIN PUBLIC KEY-----\n");
        TicketSigner fromPem = new TicketSigner(TicketKeys.privateKeyFromPem(privatePem), "k1", clock);
        TicketVerifier v = new TicketVerifier(Map.of("k1", TicketKeys.publicKeyFromPem(publicPem)), clock, Duration.ZERO);
        assertThat(v.verify(fromPem.issue("s", "u", "t", TicketMode.VIEW, "a"), "a").mode()).isEqualTo(TicketMode.VIEW);
        assertThat(TicketKeys.keyId(KEYS.getPublic())).hasSize(12).isNotEqualTo(TicketKeys.keyId(OTHER.getPublic()));
        assertThatThrownBy(() -> TicketKeys.publicKeyFromPem(privatePem)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TicketKeys.privateKeyFromPem("-----BEGIN PRIVATE KEY-----\n!!\n-----END PRIVATE KEY-----"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The output of `openssl genpkey -algorithm ed25519` and `openssl pkey -pubout` (a matching pair) works. */
    static final String OPENSSL_PRIVATE = "-----BEGIN PRIVATE KEY-----\n"
            + "MC4CAQAwBQYDK2VwBCIEIH/387RXzY+E1MeTZmtNZPXNr4iVm8pD3dM7ZyhGON/4\n-----END PRIVATE KEY-----\n";
    static final String OPENSSL_PUBLIC = "-----BEGIN PUBLIC KEY-----\r\n"
            + "MCowBQYDK2VwAyEAFtCcdLlf+HROeiyMLv7TmGpJfSZ1gi0e57N21L38kV0=\r\n-----END PUBLIC KEY-----";

    @Test
    void readsOpensslPem() throws Exception {
        String token = new TicketSigner(TicketKeys.privateKeyFromPem(OPENSSL_PRIVATE), "ossl", clock)
                .issue("s", "u", "t", TicketMode.CONTROL, "aud");
        Ticket t = new TicketVerifier(Map.of("ossl", TicketKeys.publicKeyFromPem(OPENSSL_PUBLIC)), clock, Duration.ZERO)
                .verify(token, "aud");
        assertThat(t.sessionId()).isEqualTo("s");
    }

    @Test
    void invalidConfigurationFailsFast() {
        assertThatThrownBy(() -> new TicketSigner(KEYS.getPrivate(), "", clock)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TicketVerifier(Map.of(), clock, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TicketVerifier(Map.of("k", KEYS.getPublic()), clock, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Ticket("s", "u", "t", TicketMode.VIEW, Instant.EPOCH, Instant.EPOCH, "a"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** The example in docs/protocols/session-ticket.md (Ed25519 is deterministic); openssl verified its signature. */
    @Test
    void matchesTheDocumentedExample() throws Exception {
        java.time.Clock fixed = java.time.Clock.fixed(Instant.parse("2026-11-24T10:00:00Z"), java.time.ZoneOffset.UTC);
        String token = new TicketSigner(TicketKeys.privateKeyFromPem(OPENSSL_PRIVATE), "k1", fixed)
                .issue("s-42", "ada", "target-7", TicketMode.VIEW, "cam-broker");
        assertThat(token).isEqualTo("v1.AQJrMQRzLTQyA2FkYQh0YXJnZXQtNwIAAAGiDP99AAAAAaIM__IwCmNhbS1icm9rZXI."
                + "XQqaihdIsFkhJm50ebQZrhJ2dM25efF1IJdeqiBy9ZZ_MIjLkaTq2HeYGZASJpVu4hNLxRhxojcA2duuQUVTAQ");
        Ticket t = new TicketVerifier(Map.of("k1", TicketKeys.publicKeyFromPem(OPENSSL_PUBLIC)), fixed, Duration.ZERO)
                .verify(token, "cam-broker");
        assertThat(t.expiresAt()).isEqualTo(Instant.parse("2026-11-24T10:00:30Z"));
    }

    private void assertReason(String token, String audience, String reason) {
        assertThatThrownBy(() -> verifier.verify(token, audience)).isInstanceOfSatisfying(ProtocolException.class,
                e -> assertThat(e.reason()).isEqualTo(reason));
    }
}
