package org.cam.replication.monitor.rest;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cam.replication.failover.TopologyException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The service's one exception mapper: RFC 7807 problem+json. Security exceptions keep Quarkus' 401/403. */
public class ProblemMapper {

    public static final String PROBLEM_JSON = "application/problem+json";

    @ServerExceptionMapper
    public Response topology(TopologyException e) {
        return problem(e.status(), e.getMessage(), e.field());
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String detail = status == 400 ? "malformed request body: " + rootMessage(e) : e.getMessage();
        return problem(status, detail, null);
    }

    static Response problem(int status, String detail, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", "about:blank");
        Response.Status st = Response.Status.fromStatusCode(status);
        body.put("title", st == null ? "Error" : st.getReasonPhrase());
        body.put("status", status);
        body.put("detail", detail);
        if (field != null) {
            body.put("field", field);
        }
        return Response.status(status).type(PROBLEM_JSON).entity(body).build();
    }

    private static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        String m = c.getMessage();
        return m == null ? c.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
