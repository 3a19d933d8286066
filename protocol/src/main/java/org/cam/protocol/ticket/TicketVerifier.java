package org.cam.protocol.ticket;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import org.cam.protocol.ProtocolException;

/**
 * Verifies session tickets offline, with public keys only. Thread-safe.
 *
 * <p>Checks, in order: length bound, envelope, payload structure, key id, Ed25519 signature, time window (with the
 * allowed clock skew on both ends), audience. Every failure is a {@link ProtocolException} with a reason from
 * {@link TicketReasons}; the offset is the character offset in the token where it applies, else -1.
 *
 * <p>It does not know whether a ticket was already used: single use is enforced by claiming the session id.
 */
public final class TicketVerifier {

    private final Map<String, PublicKey> keys;
    private final Clock clock;
    private final Duration skew;

    /**
     * @param keys Ed25519 public keys by key id; several during a key rotation
     * @param clock source of "now"
     * @param allowedSkew tolerated clock difference between signer and verifier (0..5 minutes)
     */
    public TicketVerifier(Map<String, PublicKey> keys, Clock clock, Duration allowedSkew) {
        if (keys == null || keys.isEmpty()) {
            throw new IllegalArgumentException("at least one public key is required");
        }
        keys.values().forEach(TicketKeys::requireEd25519);
        this.keys = Map.copyOf(keys);
        this.clock = Objects.requireNonNull(clock, "clock");
        if (allowedSkew == null || allowedSkew.isNegative() || allowedSkew.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("allowedSkew must be 0..5 minutes");
        }
        this.skew = allowedSkew;
    }

    /**
     * @return the verified claims
     * @throws ProtocolException malformed, unsupported version, unknown key, bad signature, expired, not yet valid,
     *     wrong audience, too large
     */
    public Ticket verify(String token, String expectedAudience) throws ProtocolException {
        if (token == null) {
            throw new ProtocolException(TicketReasons.MALFORMED);
        }
        if (token.length() > TicketFormat.MAX_TOKEN_CHARS) {
            throw new ProtocolException(TicketFormat.MAX_TOKEN_CHARS, TicketReasons.TOO_LARGE);
        }
        if (!token.startsWith(TicketFormat.PREFIX)) {
            throw new ProtocolException(0, isOtherVersion(token)
                    ? TicketReasons.UNSUPPORTED_VERSION : TicketReasons.MALFORMED);
        }
        int dot = token.indexOf('.', TicketFormat.PREFIX.length());
        if (dot < 0 || token.indexOf('.', dot + 1) >= 0) {
            throw new ProtocolException(TicketReasons.MALFORMED);
        }
        byte[] payload = base64(token, TicketFormat.PREFIX.length(), dot);
        byte[] signature = base64(token, dot + 1, token.length());
        TicketFormat.Payload p;
        try {
            p = TicketFormat.decodePayload(payload);
        } catch (ProtocolException e) {
            throw new ProtocolException(-1, e.reason()); // payload offsets mean nothing in the text token
        }
        PublicKey key = keys.get(p.keyId());
        if (key == null) {
            throw new ProtocolException(TicketReasons.UNKNOWN_KEY);
        }
        if (signature.length != TicketFormat.SIGNATURE_BYTES || !verifySignature(key, token, dot, signature)) {
            throw new ProtocolException(dot + 1, TicketReasons.BAD_SIGNATURE);
        }
        Ticket t = p.ticket();
        Instant now = clock.instant();
        if (now.isBefore(t.issuedAt().minus(skew))) {
            throw new ProtocolException(TicketReasons.NOT_YET_VALID);
        }
        if (!now.isBefore(t.expiresAt().plus(skew))) {
            throw new ProtocolException(TicketReasons.EXPIRED);
        }
        if (!t.audience().equals(expectedAudience)) {
            throw new ProtocolException(TicketReasons.WRONG_AUDIENCE);
        }
        return t;
    }

    /** "v" + digits + "." : a ticket format this verifier does not know (yet). */
    private static boolean isOtherVersion(String token) {
        int i = 1;
        while (i < token.length() && i < 6 && Character.isDigit(token.charAt(i))) {
            i++;
        }
        return token.startsWith("v") && i > 1 && i < token.length() && token.charAt(i) == '.';
    }

    private static boolean verifySignature(PublicKey key, String token, int dot, byte[] signature) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(token.substring(0, dot).getBytes(StandardCharsets.US_ASCII));
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false; // e.g. a signature that is not a valid encoding
        }
    }

    /** Strict base64url without padding: re-encoding must give back the same text, so a token has one spelling. */
    private static byte[] base64(String token, int from, int to) throws ProtocolException {
        if (to <= from) {
            throw new ProtocolException(from, TicketReasons.MALFORMED);
        }
        for (int i = from; i < to; i++) {
            char c = token.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                throw new ProtocolException(i, TicketReasons.MALFORMED);
            }
        }
        String part = token.substring(from, to);
        byte[] b;
        try {
            b = Base64.getUrlDecoder().decode(part);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(from, TicketReasons.MALFORMED);
        }
        if (!TicketFormat.B64.encodeToString(b).equals(part)) {
            throw new ProtocolException(from, TicketReasons.MALFORMED);
        }
        return b;
    }

    @Override
    public String toString() {
        return "TicketVerifier" + Arrays.toString(keys.keySet().toArray());
    }
}
