package org.cam.testsupport.openapi;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.SwaggerParseResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What every CAM service's OpenAPI document must say, checked the same way in each service's contract test: the
 * document is valid (swagger-parser), every operation has a summary, documents at least one error answer as
 * problem+json, and has a security requirement unless it is one of the service's public operations. The document
 * is committed under {@code docs/openapi/}; {@link #committed} fails when the two differ (run the test with
 * {@code -Dcam.openapi.update=true} to write the new one, then review the diff).
 */
public final class OpenApiContract {
    private OpenApiContract() {
    }

    /** "METHOD /path" of every operation in the document. */
    public static List<String> violations(String document, Set<String> publicOperations) {
        SwaggerParseResult parsed = new OpenAPIV3Parser().readContents(document);
        List<String> out = new ArrayList<>();
        if (parsed.getMessages() != null) {
            parsed.getMessages().forEach(m -> out.add("invalid document: " + m));
        }
        OpenAPI api = parsed.getOpenAPI();
        if (api == null || api.getPaths() == null || api.getPaths().isEmpty()) {
            out.add("no operations");
            return out;
        }
        api.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, op) -> {
            String name = method + " " + path;
            if (op.getSummary() == null || op.getSummary().isBlank()) {
                out.add(name + ": no summary");
            }
            if (!documentsProblems(op)) {
                out.add(name + ": no error answer documented as application/problem+json");
            }
            boolean secured = (op.getSecurity() != null && op.getSecurity().stream().anyMatch(r -> !r.isEmpty()))
                    || (op.getSecurity() == null && api.getSecurity() != null && !api.getSecurity().isEmpty());
            if (!secured && !publicOperations.contains(name)) {
                out.add(name + ": no security requirement (and not one of the public operations)");
            }
            if (secured && publicOperations.contains(name)) {
                out.add(name + ": listed as public but has a security requirement");
            }
        }));
        return out;
    }

    private static boolean documentsProblems(Operation op) {
        if (op.getResponses() == null) {
            return false;
        }
        for (Map.Entry<String, ApiResponse> r : op.getResponses().entrySet()) {
            if ((r.getKey().startsWith("4") || r.getKey().startsWith("5")) && r.getValue().getContent() != null
                    && r.getValue().getContent().containsKey("application/problem+json")) {
                return true;
            }
        }
        return false;
    }

    /** Number of operations, for a test's sanity check that it read the whole document. */
    public static int operations(String document) {
        OpenAPI api = new OpenAPIV3Parser().readContents(document).getOpenAPI();
        int n = 0;
        for (PathItem item : api.getPaths().values()) {
            n += item.readOperations().size();
        }
        return n;
    }

    /**
     * The document as committed at {@code docs/openapi/<service>.yaml} (relative to the reactor root, one level up
     * from the module), or the difference as a failure message; null when they agree.
     */
    public static String committed(String service, String document) {
        Path file = Path.of("..", "docs", "openapi", service + ".yaml");
        String normalized = document.strip() + "\n";
        try {
            if (Boolean.getBoolean("cam.openapi.update")) {
                Files.createDirectories(file.getParent());
                Files.writeString(file, normalized, StandardCharsets.UTF_8);
                return null;
            }
            if (!Files.exists(file)) {
                return file + " is missing; run the test with -Dcam.openapi.update=true and commit it";
            }
            String committed = Files.readString(file, StandardCharsets.UTF_8);
            if (committed.equals(normalized)) {
                return null;
            }
            Path actual = Path.of("target", "openapi", service + ".yaml");
            Files.createDirectories(actual.getParent());
            Files.writeString(actual, normalized, StandardCharsets.UTF_8);
            return file + " differs from what the service publishes (written to " + actual.toAbsolutePath()
                    + "); run the test with -Dcam.openapi.update=true, review the diff and commit it";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
