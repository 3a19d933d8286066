package org.cam.rest.problem;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticator;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Where every CAM service turns exceptions into problem+json: its own {@link ProblemException}s, validation, JSON,
 * security and framework errors, each naming the field when there is one. What only a service knows (its database
 * failing over, say) comes in through {@link ProblemTranslator} beans. Anything else is a 500 without internals.
 */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @Inject
    @Any
    Instance<ProblemTranslator> translators;

    @ServerExceptionMapper
    public Response problem(ProblemException e, UriInfo uri) {
        return e.problem(path(uri)).toResponse(e.retryAfterSeconds());
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e, UriInfo uri) {
        // The first violation (sorted, for a stable answer) names the field; all of them go into the detail.
        ConstraintViolation<?> first = e.getConstraintViolations().stream()
                .min(Comparator.comparing(v -> v.getPropertyPath().toString())).orElse(null);
        String field = first == null ? null : fieldOf(first.getPropertyPath());
        String detail = e.getConstraintViolations().stream()
                .map(v -> fieldOf(v.getPropertyPath()) + ": " + v.getMessage())
                .sorted().collect(Collectors.joining("; "));
        return Problem.of(ProblemType.VALIDATION_FAILED, 400, detail, field, path(uri)).toResponse(null);
    }

    /** Same type as Quarkus REST's built-in mapper (which answers an empty 400), so this one wins. */
    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e, UriInfo uri) {
        return json(e, uri);
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e, UriInfo uri) {
        return json(e, uri);
    }

    /*
     * 401s. Having a mapper for AuthenticationFailedException makes Quarkus REST route failures of proactive
     * authentication (wrong Basic password, bad or expired JWT, unknown token, lockout) through these mappers
     * too, instead of an empty 401 from the HTTP layer. The challenge headers (WWW-Authenticate) still come from
     * the mechanism that would have sent them. The detail never says why: unknown user, wrong password, expired
     * token and lockout look the same.
     */
    @ServerExceptionMapper
    public Uni<Response> authenticationFailed(AuthenticationFailedException e, RoutingContext rc) {
        HttpSecurityUtils.addAuthenticationFailureToEvent(e, rc);   // as Quarkus' own mapper: security events
        return unauthorized(rc, "the credentials were not accepted (wrong, expired or locked out)");
    }

    /** An anonymous call to a protected endpoint. */
    @ServerExceptionMapper
    public Uni<Response> unauthorizedException(UnauthorizedException e, RoutingContext rc) {
        return unauthorized(rc, "authentication required");
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return Problem.of(ProblemType.FORBIDDEN, 403, "your roles do not allow this operation", null, path(uri))
                .toResponse(null);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        if (e.getCause() instanceof JsonProcessingException json) {
            return json(json, uri);   // unparsable bodies can arrive wrapped
        }
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("request failed", e);
        }
        Response.Status known = Response.Status.fromStatusCode(status);
        Problem p = Problem.of(status, known == null ? null : known.getReasonPhrase(), webDetail(status, e, uri),
                null, path(uri));
        Response.ResponseBuilder b = Response.status(status).type(Problem.MEDIA_TYPE).entity(p);
        // keep e.g. Allow on 405 and WWW-Authenticate on 401
        if (e.getResponse() != null) {
            e.getResponse().getHeaders().forEach((k, v) -> {
                if (!k.equalsIgnoreCase("Content-Type") && !k.equalsIgnoreCase("Content-Length")) {
                    v.forEach(val -> b.header(k, val));
                }
            });
        }
        return b.build();
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        List<ProblemTranslator> ordered = translators.stream()
                .sorted(Comparator.comparingInt(ProblemTranslator::priority)).toList();
        for (ProblemTranslator t : ordered) {
            Optional<ProblemException> known = t.translate(e);
            if (known.isPresent()) {
                return problem(known.get(), uri);
            }
        }
        LOG.error("unexpected error", e);
        return Problem.of(ProblemType.INTERNAL_SERVER_ERROR, 500, "unexpected error; see the service log", null,
                path(uri)).toResponse(null);
    }

    private static Uni<Response> unauthorized(RoutingContext rc, String detail) {
        HttpAuthenticator authenticator = rc == null ? null : rc.get(HttpAuthenticator.class.getName());
        Uni<ChallengeData> challenge = authenticator == null ? Uni.createFrom().nullItem()
                : authenticator.getChallenge(rc).onFailure().recoverWithNull();
        String path = rc == null ? null : rc.normalizedPath();
        return challenge.map(c -> {
            Response.ResponseBuilder b = Response.status(401).type(Problem.MEDIA_TYPE)
                    .entity(Problem.of(ProblemType.UNAUTHORIZED, 401, detail, null, path));
            if (c != null && c.getHeaders() != null) {
                // after a failed proactive authentication the challenge is already on the Vert.x response, which
                // Quarkus REST merges in: add only what is missing, or clients see it twice
                c.getHeaders().forEach((k, v) -> {
                    if (!rc.response().headers().contains(k.toString(), v, true)) {
                        b.header(k.toString(), v);
                    }
                });
            }
            return b.build();
        });
    }

    /** Quarkus REST's own texts ("Unable to find matching target resource method") mean little to a client. */
    private static String webDetail(int status, WebApplicationException e, UriInfo uri) {
        return switch (status) {
            case 404 -> "nothing at " + path(uri);
            case 405 -> "this method is not supported on " + path(uri);
            case 406 -> "none of the accepted media types can be produced; ask for application/json";
            case 415 -> "unsupported Content-Type; send application/json";
            default -> e.getMessage();
        };
    }

    private static Response json(JsonProcessingException e, UriInfo uri) {
        String field = null;
        if (e instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
            field = jme.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
        }
        String detail = field == null ? "malformed JSON body" : "invalid value for field " + field;
        return Problem.of(ProblemType.BAD_REQUEST, 400, detail, field, path(uri)).toResponse(null);
    }

    /** The name of the offending property or parameter, without the method and container parts of the path. */
    static String fieldOf(Path path) {
        String last = null;
        for (Path.Node n : path) {
            if (n.getKind() == ElementKind.METHOD || n.getKind() == ElementKind.CONSTRUCTOR
                    || n.getKind() == ElementKind.CONTAINER_ELEMENT) {   // "<iterable element>": keep the field
                continue;
            }
            if (n.getName() != null) {
                last = n.getName();
            }
        }
        return last;
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getPath();
    }
}
