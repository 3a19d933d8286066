package org.cam.management.common;

import com.fasterxml.jackson.annotation.JsonInclude;

/** RFC 9457 problem details; {@code field} names the offending input for validation errors. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field, String instance) {
    public static final String MEDIA_TYPE = "application/problem+json";
}
