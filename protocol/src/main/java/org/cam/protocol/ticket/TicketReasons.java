package org.cam.protocol.ticket;

import java.util.Set;

/** Every {@link org.cam.protocol.ProtocolException#reason()} {@link TicketVerifier} produces. Stable: metric labels. */
public final class TicketReasons {

    public static final String TOO_LARGE = "too large";
    public static final String MALFORMED = "malformed";
    public static final String UNSUPPORTED_VERSION = "unsupported version";
    public static final String UNKNOWN_KEY = "unknown key";
    public static final String BAD_SIGNATURE = "bad signature";
    public static final String EXPIRED = "expired";
    public static final String NOT_YET_VALID = "not yet valid";
    public static final String WRONG_AUDIENCE = "wrong audience";

    public static final Set<String> ALL = Set.of(TOO_LARGE, MALFORMED, UNSUPPORTED_VERSION, UNKNOWN_KEY, BAD_SIGNATURE,
            EXPIRED, NOT_YET_VALID, WRONG_AUDIENCE);

    private TicketReasons() {
    }
}
