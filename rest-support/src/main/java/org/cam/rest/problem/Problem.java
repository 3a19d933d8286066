package org.cam.rest.problem;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.ws.rs.core.Response;

/**
 * RFC 9457 problem details, the body of every error answer of every CAM service. {@code field} names the
 * offending input (a JSON property path, query or path parameter) whenever there is one; {@code instance} is the
 * request path.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field, String instance) {
    public static final String MEDIA_TYPE = "application/problem+json";

    /** The one way to make a problem: {@code type} and {@code title} come from {@link ProblemType}. */
    public static Problem of(ProblemType type, int status, String detail, String field, String instance) {
        return new Problem(type.uri(), type.title(), status, detail, field, instance);
    }

    /** A problem of the type this status and title name (see {@link ProblemType#of}). */
    public static Problem of(int status, String title, String detail, String field, String instance) {
        return of(ProblemType.of(status, title), status, detail, field, instance);
    }

    /** This problem as an answer, with {@code Retry-After} when {@code retryAfterSeconds} is not null. */
    public Response toResponse(Integer retryAfterSeconds) {
        Response.ResponseBuilder b = Response.status(status).type(MEDIA_TYPE).entity(this);
        if (retryAfterSeconds != null) {
            b.header("Retry-After", retryAfterSeconds.toString());
        }
        return b.build();
    }
}
