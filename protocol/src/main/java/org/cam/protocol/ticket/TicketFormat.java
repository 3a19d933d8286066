package org.cam.protocol.ticket;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.cam.protocol.ByteReader;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.Text;

/**
 * The binary payload of a ticket (docs/protocols/session-ticket.md) and the token envelope
 * {@code v1.<base64url(payload)>.<base64url(signature)>}. Package-private: use {@link TicketSigner} and
 * {@link TicketVerifier}.
 */
final class TicketFormat {

    static final String PREFIX = "v1.";
    static final int PAYLOAD_VERSION = 1;
    static final int MAX_KEY_ID_BYTES = 32;
    static final int SIGNATURE_BYTES = 64;
    /** Upper bound of a valid token: the largest payload and signature, base64url, plus prefix and dot. */
    static final int MAX_TOKEN_CHARS = 1024;

    static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    private TicketFormat() {
    }

    static byte[] encodePayload(String keyId, Ticket t) {
        byte[][] texts = {
            keyId.getBytes(StandardCharsets.UTF_8),
            t.sessionId().getBytes(StandardCharsets.UTF_8),
            t.user().getBytes(StandardCharsets.UTF_8),
            t.targetId().getBytes(StandardCharsets.UTF_8),
            t.audience().getBytes(StandardCharsets.UTF_8),
        };
        int size = 1 + 1 + 8 + 8;
        for (byte[] b : texts) {
            size += 1 + b.length;
        }
        byte[] out = new byte[size];
        int p = 0;
        out[p++] = (byte) PAYLOAD_VERSION;
        p = putText(out, p, texts[0]);
        p = putText(out, p, texts[1]);
        p = putText(out, p, texts[2]);
        p = putText(out, p, texts[3]);
        out[p++] = (byte) t.mode().code();
        p = putLong(out, p, t.issuedAt().toEpochMilli());
        p = putLong(out, p, t.expiresAt().toEpochMilli());
        putText(out, p, texts[4]);
        return out;
    }

    private static int putText(byte[] out, int p, byte[] b) {
        out[p++] = (byte) b.length;
        System.arraycopy(b, 0, out, p, b.length);
        return p + b.length;
    }

    private static int putLong(byte[] out, int p, long v) {
        for (int i = 7; i >= 0; i--) {
            out[p++] = (byte) (v >>> (8 * i));
        }
        return p;
    }

    /** A decoded payload: the key id that signed it and the claims. */
    record Payload(String keyId, Ticket ticket) {
    }

    static Payload decodePayload(byte[] b) throws ProtocolException {
        ByteReader r = new ByteReader(b, 0, b.length);
        if (r.u8(TicketReasons.MALFORMED) != PAYLOAD_VERSION) {
            throw new ProtocolException(0, TicketReasons.UNSUPPORTED_VERSION);
        }
        String keyId = text(r, MAX_KEY_ID_BYTES);
        String sessionId = text(r, Ticket.MAX_SESSION_ID_BYTES);
        String user = text(r, Ticket.MAX_USER_BYTES);
        String targetId = text(r, Ticket.MAX_TARGET_ID_BYTES);
        int modeAt = r.position();
        TicketMode mode = TicketMode.ofCode(r.u8(TicketReasons.MALFORMED));
        if (mode == null) {
            throw new ProtocolException(modeAt, TicketReasons.MALFORMED);
        }
        long issued = r.i64(TicketReasons.MALFORMED);
        long expires = r.i64(TicketReasons.MALFORMED);
        String audience = text(r, Ticket.MAX_AUDIENCE_BYTES);
        if (r.remaining() != 0) {
            throw new ProtocolException(r.position(), TicketReasons.MALFORMED);
        }
        // Instant.ofEpochMilli covers every long; only the ordering can be wrong.
        if (expires <= issued) {
            throw new ProtocolException(TicketReasons.MALFORMED);
        }
        return new Payload(keyId, new Ticket(sessionId, user, targetId, mode, Instant.ofEpochMilli(issued),
                Instant.ofEpochMilli(expires), audience));
    }

    private static String text(ByteReader r, int max) throws ProtocolException {
        int at = r.position();
        int n = r.u8(TicketReasons.MALFORMED);
        if (n == 0 || n > max) {
            throw new ProtocolException(at, TicketReasons.MALFORMED);
        }
        return r.utf8(n, TicketReasons.MALFORMED, TicketReasons.MALFORMED);
    }

    static String checkKeyId(String keyId) {
        Text.checkField(keyId, "keyId", MAX_KEY_ID_BYTES, false);
        return keyId;
    }
}
