package org.cam.protocol.ticket;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.cam.protocol.Text;

/**
 * The claims of a session ticket. Clients see tickets, so nothing here is secret. Times have millisecond
 * precision on the wire; the constructor truncates to milliseconds so a ticket equals its decoded self.
 *
 * @param sessionId the PENDING session this ticket opens (1..64 bytes of text); a broker claims it once
 * @param user the user's login name (1..128 bytes)
 * @param targetId the target to connect to (1..64 bytes)
 * @param mode control or view
 * @param issuedAt when the ticket was issued
 * @param expiresAt when it stops being valid (after {@code issuedAt})
 * @param audience who may accept it, e.g. {@code "cam-broker"} (1..128 bytes)
 */
public record Ticket(String sessionId, String user, String targetId, TicketMode mode, Instant issuedAt,
                     Instant expiresAt, String audience) {

    public static final int MAX_SESSION_ID_BYTES = 64;
    public static final int MAX_USER_BYTES = 128;
    public static final int MAX_TARGET_ID_BYTES = 64;
    public static final int MAX_AUDIENCE_BYTES = 128;

    public Ticket {
        Text.checkField(sessionId, "sessionId", MAX_SESSION_ID_BYTES, false);
        Text.checkField(user, "user", MAX_USER_BYTES, false);
        Text.checkField(targetId, "targetId", MAX_TARGET_ID_BYTES, false);
        Objects.requireNonNull(mode, "mode");
        issuedAt = Objects.requireNonNull(issuedAt, "issuedAt").truncatedTo(ChronoUnit.MILLIS);
        expiresAt = Objects.requireNonNull(expiresAt, "expiresAt").truncatedTo(ChronoUnit.MILLIS);
        if (!expiresAt.isAfter(issuedAt)) {
            throw new IllegalArgumentException("expiresAt must be after issuedAt");
        }
        Text.checkField(audience, "audience", MAX_AUDIENCE_BYTES, false);
    }
}
