package org.cam.management.common;

import org.cam.rest.problem.ProblemException;

/**
 * management-api's name for a {@link ProblemException}, with the factories its features use. The shared mapper of
 * {@code rest-support} answers it as problem+json.
 */
public class ApiException extends ProblemException {
    private static final long serialVersionUID = 1L;

    public ApiException(int status, String title, String detail, String field) {
        super(status, title, detail, field);
    }

    private ApiException(int status, String title, String detail, String field, Integer retryAfterSeconds) {
        super(status, title, detail, field, retryAfterSeconds);
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
}
