package org.cam.broker.rest;

import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The service's one exception mapper: problem+json with the field named. */
public class ProblemMapper {

    @ServerExceptionMapper
    public Response map(ProblemException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", e.title());
        body.put("status", e.status());
        body.put("detail", e.getMessage());
        if (e.field() != null) {
            body.put("field", e.field());
        }
        return Response.status(e.status()).type("application/problem+json").entity(body).build();
    }
}
