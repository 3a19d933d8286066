package org.cam.management.common;

/** A client error the REST layer turns into problem+json: status, title and optionally the offending field. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String title;
    private final String field;
    private final Integer retryAfterSeconds;

    public ApiException(int status, String title, String detail, String field) {
        this(status, title, detail, field, null);
    }

    private ApiException(int status, String title, String detail, String field, Integer retryAfterSeconds) {
        super(detail);
        this.status = status;
        this.title = title;
        this.field = field;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** 503 with {@code Retry-After}: the request was fine, a dependency is not there right now. */
    public static ApiException unavailable(String detail, int retryAfterSeconds) {
        return new ApiException(503, "Service Unavailable", detail, null, retryAfterSeconds);
    }

    public static ApiException notFound(String what, Object id) {
        return new ApiException(404, "Not Found", what + " " + id + " does not exist", null);
    }

    public static ApiException badRequest(String field, String detail) {
        return new ApiException(400, "Bad Request", detail, field);
    }

    public static ApiException conflict(String field, String detail) {
        return new ApiException(409, "Conflict", detail, field);
    }

    public static ApiException forbidden(String detail) {
        return new ApiException(403, "Forbidden", detail, null);
    }

    /** 429 with {@code Retry-After}: this caller has used up what it may try for now. */
    public static ApiException tooManyRequests(String field, String detail, int retryAfterSeconds) {
        return new ApiException(429, "Too Many Requests", detail, field, retryAfterSeconds);
    }

    public int status() { return status; }

    public String title() { return title; }

    public String field() { return field; }

    /** Seconds for the Retry-After header; null when the answer carries none. */
    public Integer retryAfterSeconds() { return retryAfterSeconds; }
}
