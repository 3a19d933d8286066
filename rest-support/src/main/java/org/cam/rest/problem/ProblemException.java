package org.cam.rest.problem;

/**
 * An error a service answers as problem+json: status, type (from the title), the detail a client can act on and,
 * when there is one, the offending field. 503 and 429 carry {@code Retry-After}.
 */
public class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final ProblemType type;
    private final String field;
    private final Integer retryAfterSeconds;

    public ProblemException(int status, String title, String detail, String field) {
        this(status, title, detail, field, null);
    }

    public ProblemException(int status, String title, String detail, String field, Integer retryAfterSeconds) {
        super(detail);
        this.status = status;
        this.type = ProblemType.of(status, title);
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public static ProblemException badRequest(String field, String detail) {
        return new ProblemException(400, ProblemType.BAD_REQUEST.title(), detail, field);
    }

    public static ProblemException notFound(String detail) {
        return new ProblemException(404, ProblemType.NOT_FOUND.title(), detail, null);
    }

    public static ProblemException conflict(String field, String detail) {
        return new ProblemException(409, ProblemType.CONFLICT.title(), detail, field);
    }

    public static ProblemException forbidden(String detail) {
        return new ProblemException(403, ProblemType.FORBIDDEN.title(), detail, null);
    }

    /** 503 with {@code Retry-After}: the request was fine, a dependency is not there right now. */
    public static ProblemException unavailable(String detail, int retryAfterSeconds) {
        return new ProblemException(503, ProblemType.SERVICE_UNAVAILABLE.title(), detail, null, retryAfterSeconds);
    }

    /** 429 with {@code Retry-After}: this caller has used up what it may try for now. */
    public static ProblemException tooManyRequests(String field, String detail, int retryAfterSeconds) {
        return new ProblemException(429, ProblemType.TOO_MANY_REQUESTS.title(), detail, field, retryAfterSeconds);
    }

    public int status() {
        return status;
    }

    public ProblemType type() {
        return type;
    }

    public String title() {
        return type.title();
    }

    public String field() {
        return field;
    }

    /** Seconds for the Retry-After header; null when the answer carries none. */
    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public Problem problem(String instance) {
        return Problem.of(type, status, getMessage(), field, instance);
    }
}
