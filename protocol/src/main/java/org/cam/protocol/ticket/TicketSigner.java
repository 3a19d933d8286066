package org.cam.protocol.ticket;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * Issues session tickets: {@code v1.<base64url(payload)>.<base64url(Ed25519 signature)>}, the signature taken over
 * the ASCII text {@code v1.<base64url(payload)>}. Thread-safe. Only management-api holds the private key.
 */
public final class TicketSigner {

    /** Default lifetime: long enough to open a console, short enough that a leaked ticket is soon useless. */
    public static final Duration DEFAULT_TTL = Duration.ofSeconds(30);

    private final PrivateKey privateKey;
    private final String keyId;
    private final Clock clock;

    /**
     * @param privateKey an Ed25519 private key ({@link TicketKeys#generate()})
     * @param keyId names the key so verifiers can hold several during rotation (1..32 bytes of text)
     * @param clock source of issued-at
     */
    public TicketSigner(PrivateKey privateKey, String keyId, Clock clock) {
        this.privateKey = TicketKeys.requireEd25519(privateKey);
        this.keyId = TicketFormat.checkKeyId(keyId);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public String keyId() {
        return keyId;
    }

    /** Issues a ticket valid from now for {@link #DEFAULT_TTL}. */
    public String issue(String sessionId, String user, String targetId, TicketMode mode, String audience) {
        return issue(sessionId, user, targetId, mode, audience, DEFAULT_TTL);
    }

    /** Issues a ticket valid from now for {@code ttl} (at least 1 ms). */
    public String issue(String sessionId, String user, String targetId, TicketMode mode, String audience,
                        Duration ttl) {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        return sign(new Ticket(sessionId, user, targetId, mode, now, now.plus(ttl), audience));
    }

    /** Signs exactly these claims. */
    public String sign(Ticket ticket) {
        String signed = TicketFormat.PREFIX + TicketFormat.B64.encodeToString(TicketFormat.encodePayload(keyId, ticket));
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(privateKey);
            s.update(signed.getBytes(StandardCharsets.US_ASCII));
            return signed + "." + TicketFormat.B64.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed", e);
        }
    }
}
