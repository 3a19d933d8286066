package org.cam.management.common;

import com.fasterxml.jackson.annotation.JsonInclude;

/** RFC 9457 problem details; {@code field} names the offending input for validation errors. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String field, String instance) {
    public static final String MEDIA_TYPE = "application/problem+json";
    static final String TYPE_BASE = "https://cam.test/problems/";

    /** The one way to make a problem, so the REST layer and the HTTP layer (413) derive {@code type} alike. */
    public static Problem of(int status, String title, String detail, String field, String instance) {
        return new Problem(TYPE_BASE + title.toLowerCase().replace(' ', '-'), title, status, detail, field, instance);
    }
}
