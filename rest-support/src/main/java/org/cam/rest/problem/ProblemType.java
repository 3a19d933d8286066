package org.cam.rest.problem;

import java.util.Arrays;
import java.util.Locale;

/**
 * Every kind of problem a CAM service answers. The type URI of each is {@link #BASE} followed by its name;
 * {@code docs/problems.md} explains each one under a heading of that name (a test keeps the two in step).
 * A title outside this list still gets the type of its status, so a client can always switch on {@code type}.
 */
public enum ProblemType {
    BAD_REQUEST(400, "Bad Request"),
    VALIDATION_FAILED(400, "Validation failed"),
    UNAUTHORIZED(401, "Unauthorized"),
    FORBIDDEN(403, "Forbidden"),
    NOT_FOUND(404, "Not Found"),
    METHOD_NOT_ALLOWED(405, "Method Not Allowed"),
    NOT_ACCEPTABLE(406, "Not Acceptable"),
    CONFLICT(409, "Conflict"),
    CONTENT_TOO_LARGE(413, "Content Too Large"),
    UNSUPPORTED_MEDIA_TYPE(415, "Unsupported Media Type"),
    UNPROCESSABLE_CONTENT(422, "Unprocessable Content"),
    TOO_MANY_REQUESTS(429, "Too Many Requests"),
    INTERNAL_SERVER_ERROR(500, "Internal Server Error"),
    BAD_GATEWAY(502, "Bad Gateway"),
    SERVICE_UNAVAILABLE(503, "Service Unavailable"),
    GATEWAY_TIMEOUT(504, "Gateway Timeout");

    /**
     * Problem types are identifiers (RFC 9457 section 3.1.1); {@code .test} never resolves, so nobody mistakes one
     * for a live address. What each means is in {@code docs/problems.md}, under the name after this prefix.
     */
    public static final String BASE = "https://cam.test/problems/";

    private final int status;
    private final String title;

    ProblemType(int status, String title) {
        this.status = status;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    /** The name after {@link #BASE}: the title in lower case, words joined by hyphens. */
    public String slug() {
        return title.toLowerCase(Locale.ROOT).replace(' ', '-');
    }

    public String uri() {
        return BASE + slug();
    }

    /** The type whose title this is (any case), else the first of this status, else by status class. */
    public static ProblemType of(int status, String title) {
        if (title != null) {
            for (ProblemType t : values()) {
                if (t.status == status && t.title.equalsIgnoreCase(title.trim())) {
                    return t;
                }
            }
        }
        return Arrays.stream(values()).filter(t -> t.status == status).findFirst()
                .orElse(status >= 500 ? INTERNAL_SERVER_ERROR : BAD_REQUEST);
    }
}
