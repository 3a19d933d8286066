package org.cam.discovery.problem;

import com.fasterxml.jackson.annotation.JsonInclude;

/** RFC 7807 body; {@code field} names the offending input on validation errors. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field) {
}
