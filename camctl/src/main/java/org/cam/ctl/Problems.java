package org.cam.ctl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.cam.ctl.generated.client.ApiException;

/**
 * Turns the services' problem+json answers (docs/problems.md) into one line for people and an exit code for
 * scripts: 0 ok, 1 error, 2 usage, 3 not found, 4 conflict, 5 not allowed. {@link #exitCode(int)} is the one rule
 * every command's HTTP failures go through, whichever service answered.
 */
final class Problems {
    static final int OK = 0;
    static final int ERROR = 1;
    static final int USAGE = 2;
    static final int NOT_FOUND = 3;
    static final int CONFLICT = 4;
    static final int NOT_ALLOWED = 5;

    private static final ObjectMapper JSON = new ObjectMapper();

    private Problems() {
    }

    /**
     * 400 and 422 are the caller's input refused (a script should not retry it unchanged), like camctl's own usage
     * errors; 401 and 403 say "log in again or ask for the role", which no retry fixes either; everything else
     * (5xx, 502 from a device, 503 while the database switches) is an error that may pass.
     */
    static int exitCode(int httpStatus) {
        return switch (httpStatus) {
            case 400, 413, 415, 422 -> USAGE;
            case 401, 403 -> NOT_ALLOWED;
            case 404 -> NOT_FOUND;
            case 409 -> CONFLICT;
            default -> ERROR;
        };
    }

    /** "title (status): detail [field: f]", from the problem when the body is one, else what HTTP said. */
    static String message(int httpStatus, String body) {
        JsonNode problem = parse(body);
        if (problem == null || !problem.hasNonNull("title")) {
            String text = body == null || body.isBlank() ? "" : ": " + body.strip();
            return "HTTP " + httpStatus + text;
        }
        StringBuilder s = new StringBuilder(problem.get("title").asText())
                .append(" (").append(problem.path("status").asInt(httpStatus)).append(')');
        String detail = problem.path("detail").asText("");
        if (!detail.isBlank()) {
            s.append(": ").append(detail);
        }
        String field = problem.path("field").asText("");
        if (!field.isBlank()) {
            s.append(" [field: ").append(field).append(']');
        }
        return s.toString();
    }

    static CliException of(ApiException e) {
        return of(e.getCode(), e.getResponseBody(), e);
    }

    /** replication-monitor's generated client throws its own exception type; the same rule applies. */
    static CliException of(org.cam.ctl.monitor.client.ApiException e) {
        return of(e.getCode(), e.getResponseBody(), e);
    }

    private static CliException of(int code, String body, Exception e) {
        if (code == 0) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof com.fasterxml.jackson.core.JsonProcessingException) {
                // An answer came, but not the one the document describes.
                return new CliException(ERROR, "the server's answer does not match its API document: " + describe(cause));
            }
            // No HTTP answer at all: the cause (refused connection, TLS failure) is what the user needs.
            return new CliException(ERROR, "cannot reach the server: " + describe(cause));
        }
        return new CliException(exitCode(code), message(code, body));
    }

    static String describe(Throwable t) {
        StringBuilder s = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !s.toString().contains(c.getMessage())) {
                if (s.length() > 0) {
                    s.append(": ");
                }
                s.append(c.getMessage());
            }
        }
        return s.length() == 0 ? t.getClass().getSimpleName() : s.toString();
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(body);
            return node != null && node.isObject() ? node : null;
        } catch (Exception notJson) {
            return null;
        }
    }
}
