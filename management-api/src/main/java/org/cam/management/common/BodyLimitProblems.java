package org.cam.management.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.cam.rest.problem.Problem;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.Optional;

/**
 * 413 as problem+json. Quarkus refuses a body whose Content-Length exceeds {@code quarkus.http.limits.max-body-size}
 * in the HTTP layer, before Quarkus REST and its exception mappers run, with an empty answer. This route runs just
 * before that check (same test, same connection close); chunked bodies are read here within the limit.
 */
@ApplicationScoped
public class BodyLimitProblems {
    @Inject
    ObjectMapper json;

    @ConfigProperty(name = "quarkus.http.limits.max-body-size")
    Optional<String> maxBodySize;

    void init(@Observes Router router) {
        if (maxBodySize.isEmpty()) {
            return;
        }
        String configured = maxBodySize.get().trim();
        MemorySize size = new MemorySizeConverter().convert(configured);
        long limit = size.asLongValue();
        String detail = "the request body exceeds the limit of " + configured + " (" + limit + " bytes)";
        // Chunked bodies have no Content-Length to check up front: read them here, within the limit, so the
        // overflow fails this route (and gets the answer below) instead of being cut off empty by Quarkus REST's
        // input stream. Quarkus REST reads a body that is already read from the routing context.
        BodyHandler reader = BodyHandler.create(false).setBodyLimit(limit);
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(rc -> {
            String length = rc.request().getHeader(HttpHeaderNames.CONTENT_LENGTH);
            if (length != null) {
                if (parse(length) > limit) {
                    tooLarge(rc, detail);
                } else {
                    rc.next();
                }
            } else if (rc.request().headers().contains(HttpHeaderNames.TRANSFER_ENCODING)) {
                reader.handle(rc);
            } else {
                rc.next();
            }
        }).failureHandler(rc -> {
            if (rc.statusCode() == 413 && !rc.response().headWritten()) {
                tooLarge(rc, detail);
            } else {
                rc.next();
            }
        });
    }

    private static long parse(String length) {
        try {
            return Long.parseLong(length.trim());
        } catch (NumberFormatException e) {
            return -1;   // not ours to judge; the HTTP layer answers malformed requests
        }
    }

    private void tooLarge(RoutingContext rc, String detail) {
        byte[] body;
        try {
            body = json.writeValueAsBytes(Problem.of(413, "Content Too Large", detail, null, rc.normalizedPath()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        HttpServerResponse response = rc.response().setStatusCode(413)
                .putHeader(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (rc.request().version() != HttpVersion.HTTP_2) {
            // The unread body is still arriving: close the connection after answering, as Quarkus' own check does.
            // (HTTP/2 forbids the Connection header; ending the response resets just that stream.)
            response.putHeader(HttpHeaderNames.CONNECTION, "close").endHandler(v -> rc.request().connection().close());
        }
        response.end(Buffer.buffer(body));
    }
}
