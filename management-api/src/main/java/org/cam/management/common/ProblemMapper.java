package org.cam.management.common;

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
import jakarta.inject.Inject;
import jakarta.persistence.OptimisticLockException;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.ConstraintViolationException;
import jakarta.validation.ElementKind;
import jakarta.validation.Path;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.cam.management.datasource.PrimaryFailover;
import org.cam.management.datasource.PrimaryLoss;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.Comparator;
import java.util.stream.Collectors;

/**
 * The one place where exceptions become RFC 9457 problem+json answers. Anything unexpected is a 500 without
 * internals; everything the client can fix is a 4xx naming the field when there is one.
 */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @Inject
    PrimaryFailover failover;

    @ServerExceptionMapper
    public Response api(ApiException e, UriInfo uri) {
        Response r = problem(e.status(), e.title(), e.getMessage(), e.field(), uri);
        if (e.retryAfterSeconds() != null) {
            r.getHeaders().putSingle("Retry-After", e.retryAfterSeconds().toString());
        }
        return r;
    }

    @ServerExceptionMapper
    public Response validation(ConstraintViolationException e, UriInfo uri) {
        // Report the first violation (sorted for a stable answer); all of them go into detail.
        ConstraintViolation<?> first = e.getConstraintViolations().stream()
                .min(Comparator.comparing(v -> v.getPropertyPath().toString())).orElse(null);
        String field = first == null ? null : fieldOf(first.getPropertyPath());
        String detail = e.getConstraintViolations().stream()
                .map(v -> fieldOf(v.getPropertyPath()) + ": " + v.getMessage())
                .sorted().collect(Collectors.joining("; "));
        return problem(400, "Validation failed", detail, field, uri);
    }

    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e, UriInfo uri) {
        return json(e, uri);
    }

    @ServerExceptionMapper
    public Response badJson(JsonProcessingException e, UriInfo uri) {
        return json(e, uri);
    }

    @ServerExceptionMapper
    public Response optimisticLock(OptimisticLockException e, UriInfo uri) {
        return problem(409, "Conflict", "the object was changed concurrently; reload and retry", "version", uri);
    }

    /*
     * 401s. Having our own mapper for AuthenticationFailedException makes Quarkus REST route failures of proactive
     * authentication (wrong Basic password, bad or expired JWT, unknown service token, lockout) through these
     * mappers too, instead of answering an empty 401 from the HTTP layer. Lockout and login audit are unaffected:
     * they happen in the identity providers before any answer is rendered. The challenge headers
     * (WWW-Authenticate) still come from the authentication mechanism that would have sent them. The detail never
     * says why: unknown user, wrong password, expired token and lockout look the same.
     */
    @ServerExceptionMapper
    public Uni<Response> authenticationFailed(AuthenticationFailedException e, RoutingContext rc) {
        HttpSecurityUtils.addAuthenticationFailureToEvent(e, rc);   // as Quarkus' own mapper: security events
        return unauthorized(rc, "the credentials were not accepted (wrong, expired or locked out)");
    }

    /** An anonymous call to a protected endpoint. */
    @ServerExceptionMapper
    public Uni<Response> unauthorizedException(UnauthorizedException e, RoutingContext rc) {
        return unauthorized(rc, "authentication required: HTTP Basic or a Bearer token");
    }

    private static Uni<Response> unauthorized(RoutingContext rc, String detail) {
        HttpAuthenticator authenticator = rc == null ? null : rc.get(HttpAuthenticator.class.getName());
        Uni<ChallengeData> challenge = authenticator == null ? Uni.createFrom().nullItem()
                : authenticator.getChallenge(rc).onFailure().recoverWithNull();
        String path = rc == null ? null : rc.normalizedPath();
        return challenge.map(c -> {
            Response.ResponseBuilder b = Response.status(401).type(Problem.MEDIA_TYPE)
                    .entity(Problem.of(401, "Unauthorized", detail, null, path));
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

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, UriInfo uri) {
        return problem(403, "Forbidden", "your roles do not allow this operation", null, uri);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e, UriInfo uri) {
        int status = e.getResponse() == null ? 500 : e.getResponse().getStatus();
        if (status >= 500) {
            LOG.error("request failed", e);
        }
        String title = Response.Status.fromStatusCode(status) == null ? "Error"
                : Response.Status.fromStatusCode(status).getReasonPhrase();
        Response.ResponseBuilder b = Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(status, title, webDetail(status, e, uri), null, path(uri)));
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

    /** RESTEasy's own texts ("Unable to find matching target resource method") mean little to a client. */
    private static String webDetail(int status, WebApplicationException e, UriInfo uri) {
        return switch (status) {
            case 404 -> "nothing at " + path(uri);
            case 405 -> "this method is not supported on " + path(uri);
            case 406 -> "none of the accepted media types can be produced; ask for application/json";
            case 415 -> "unsupported Content-Type; send application/json";
            default -> e.getMessage();
        };
    }

    @ServerExceptionMapper
    public Response unexpected(Exception e, UriInfo uri) {
        // The database stopped being the primary outside a @Transactional method (whose interceptor answers 503
        // itself): still a 503 with Retry-After, never a 500.
        PrimaryLoss loss = PrimaryLoss.of(e);
        if (loss != PrimaryLoss.NONE) {
            failover.evictStaleConnections(loss);
            return api(PrimaryFailover.unavailable(loss), uri);
        }
        if (connectionPoolExhausted(e)) {
            // overload, not a fault: every pooled connection is busy for longer than the acquisition timeout
            Response r = problem(503, "Service Unavailable", "all database connections are busy; retry shortly", null,
                    uri);
            r.getHeaders().putSingle("Retry-After", "1");
            return r;
        }
        Throwable cause = e;
        while (cause != null) {
            if (cause instanceof OptimisticLockException || cause instanceof org.hibernate.StaleStateException) {
                return optimisticLock(null, uri);
            }
            if (cause instanceof org.hibernate.exception.ConstraintViolationException) {
                return problem(409, "Conflict", "the change conflicts with existing data", null, uri);
            }
            cause = cause.getCause();
        }
        LOG.error("unexpected error", e);
        return problem(500, "Internal Server Error", "unexpected error; see the server log", null, uri);
    }

    /**
     * Agroal's answer when no connection frees up within {@code acquisition-timeout}: a plain SQLException without
     * SQLState or error code (Hibernate wraps it), so its message is all there is to recognise it by.
     */
    static boolean connectionPoolExhausted(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof java.sql.SQLException && c.getMessage() != null
                    && c.getMessage().contains("acquisition timeout")) {
                return true;
            }
        }
        return false;
    }

    private Response json(JsonProcessingException e, UriInfo uri) {
        String field = null;
        if (e instanceof JsonMappingException jme && !jme.getPath().isEmpty()) {
            field = jme.getPath().stream()
                    .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining(".")).replace(".[", "[");
        }
        String detail = field == null ? "malformed JSON body" : "invalid value for field " + field;
        return problem(400, "Bad Request", detail, field, uri);
    }

    static String fieldOf(Path path) {
        String last = null;
        for (Path.Node n : path) {
            if (n.getKind() == ElementKind.METHOD || n.getKind() == ElementKind.CONSTRUCTOR
                    || n.getKind() == ElementKind.CONTAINER_ELEMENT) {   // "<iterable element>": keep the field
                continue;
            }
            if (n.getKind() == ElementKind.PARAMETER) {
                last = n.getName();       // query/path parameter or the body itself
            } else if (n.getName() != null) {
                last = n.getName();
            }
        }
        return last;
    }

    static Response problem(int status, String title, String detail, String field, UriInfo uri) {
        return Response.status(status).type(Problem.MEDIA_TYPE)
                .entity(Problem.of(status, title, detail, field, path(uri))).build();
    }

    private static String path(UriInfo uri) {
        return uri == null ? null : uri.getPath();
    }
}
