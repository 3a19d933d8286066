package org.cam.rest.openapi;

import org.cam.rest.problem.Problem;
import org.cam.rest.problem.ProblemType;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.Components;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.media.Schema;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;
import org.eclipse.microprofile.openapi.models.responses.APIResponses;
import org.eclipse.microprofile.openapi.models.security.SecurityRequirement;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Documents the errors every operation can answer, as the shared {@code ProblemMapper} produces them, so the
 * contract says what the services do rather than what each resource remembered to annotate:
 * <ul>
 *   <li>400 for an operation that takes parameters or a body (validation, unreadable JSON, the field named);</li>
 *   <li>401 and 403 for an operation with a security requirement;</li>
 *   <li>404 for a path with a parameter;</li>
 *   <li>500 and 503 (with {@code Retry-After}) everywhere.</li>
 * </ul>
 * Responses a resource documents itself are kept; a 4xx/5xx without a body gets the problem+json body. When the
 * document offers both HTTP Basic and Bearer, an operation that accepts one accepts the other with the same roles
 * (management-api's identity providers take both). Registered with {@code mp.openapi.filter}.
 */
public class ProblemContract implements OASFilter {
    static final String SCHEMA = "Problem";
    static final String REF = "#/components/schemas/" + SCHEMA;

    @Override
    public void filterOpenAPI(OpenAPI api) {
        Components components = api.getComponents();
        if (components == null) {
            components = OASFactory.createComponents();
            api.setComponents(components);
        }
        components.addSchema(SCHEMA, problemSchema());
        List<String> alternatives = alternativeSchemes(components);
        if (api.getPaths() == null || api.getPaths().getPathItems() == null) {
            return;
        }
        for (Map.Entry<String, PathItem> path : api.getPaths().getPathItems().entrySet()) {
            if (path.getValue().getOperations() == null) {
                continue;
            }
            for (Map.Entry<PathItem.HttpMethod, Operation> op : path.getValue().getOperations().entrySet()) {
                addAlternativeSchemes(op.getValue(), alternatives);
                document(path.getKey(), op.getValue());
            }
        }
    }

    private static void document(String path, Operation op) {
        APIResponses responses = op.getResponses();
        if (responses == null) {
            responses = OASFactory.createAPIResponses();
            op.setResponses(responses);
        }
        boolean input = op.getRequestBody() != null || (op.getParameters() != null && !op.getParameters().isEmpty());
        boolean secured = op.getSecurity() != null && op.getSecurity().stream().anyMatch(r -> !r.getSchemes()
                .isEmpty());
        if (input) {
            add(responses, ProblemType.BAD_REQUEST, "the request cannot be read or a value is wrong; field names it");
        }
        if (secured) {
            add(responses, ProblemType.UNAUTHORIZED, "no credentials, or credentials not accepted");
            add(responses, ProblemType.FORBIDDEN, "the caller's roles do not allow this operation");
        }
        if (path.contains("{")) {
            add(responses, ProblemType.NOT_FOUND, "nothing with this identifier");
        }
        add(responses, ProblemType.INTERNAL_SERVER_ERROR, "a fault in the service; the log has the cause");
        add(responses, ProblemType.SERVICE_UNAVAILABLE, "cannot serve now (database between primaries, overload, a "
                + "peer unreachable); retry after Retry-After seconds");
        // whatever a resource documented itself: an error answer is problem+json
        if (responses.getAPIResponses() != null) {
            responses.getAPIResponses().forEach((code, r) -> {
                if (isError(code) && (r.getContent() == null || r.getContent().getMediaTypes() == null
                        || r.getContent().getMediaTypes().isEmpty())) {
                    r.setContent(problemContent());
                }
            });
        }
    }

    private static void add(APIResponses responses, ProblemType type, String description) {
        String code = String.valueOf(type.status());
        if (responses.getAPIResponses() != null && responses.getAPIResponses().containsKey(code)) {
            return;
        }
        APIResponse r = OASFactory.createAPIResponse()
                .description(type.title() + ": " + description + " (" + type.uri() + ")")
                .content(problemContent());
        if (type.status() == 503) {
            r.addHeader("Retry-After", OASFactory.createHeader().description("seconds to wait before retrying")
                    .schema(OASFactory.createSchema().addType(Schema.SchemaType.INTEGER)));
        }
        responses.addAPIResponse(code, r);
    }

    private static boolean isError(String code) {
        return code.length() == 3 && (code.charAt(0) == '4' || code.charAt(0) == '5');
    }

    private static Content problemContent() {
        return OASFactory.createContent().addMediaType(Problem.MEDIA_TYPE,
                OASFactory.createMediaType().schema(OASFactory.createSchema().ref(REF)));
    }

    private static Schema problemSchema() {
        Schema string = OASFactory.createSchema().addType(Schema.SchemaType.STRING);
        return OASFactory.createSchema().addType(Schema.SchemaType.OBJECT)
                .description("RFC 9457 problem details; docs/problems.md explains each type")
                .addProperty("type", OASFactory.createSchema().addType(Schema.SchemaType.STRING).format("uri")
                        .description("https://cam.test/problems/<name>: what kind of problem"))
                .addProperty("title", string)
                .addProperty("status", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER))
                .addProperty("detail", string)
                .addProperty("field", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                        .description("the offending input: a JSON property path, a query or path parameter"))
                .addProperty("instance", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                        .description("the request path"))
                .required(List.of("type", "title", "status"));
    }

    /** Basic and Bearer schemes both declared: an operation that takes one takes the other. */
    private static List<String> alternativeSchemes(Components components) {
        List<String> out = new ArrayList<>();
        if (components.getSecuritySchemes() == null) {
            return out;
        }
        components.getSecuritySchemes().forEach((name, scheme) -> {
            if (scheme.getScheme() != null && (scheme.getScheme().equalsIgnoreCase("basic")
                    || scheme.getScheme().equalsIgnoreCase("bearer"))) {
                out.add(name);
            }
        });
        return out.size() == 2 ? out : List.of();
    }

    private static void addAlternativeSchemes(Operation op, List<String> alternatives) {
        if (alternatives.isEmpty() || op.getSecurity() == null) {
            return;
        }
        List<SecurityRequirement> added = new ArrayList<>();
        for (SecurityRequirement r : op.getSecurity()) {
            for (String scheme : alternatives) {
                if (r.hasScheme(scheme)) {
                    List<String> roles = r.getScheme(scheme);
                    for (String other : alternatives) {
                        boolean present = op.getSecurity().stream().anyMatch(x -> x.hasScheme(other))
                                || added.stream().anyMatch(x -> x.hasScheme(other));
                        if (!other.equals(scheme) && !present) {
                            added.add(OASFactory.createSecurityRequirement().addScheme(other, roles));
                        }
                    }
                }
            }
        }
        added.forEach(op::addSecurityRequirement);
    }
}
