package org.cam.replication.failover;

import org.cam.rest.problem.ProblemException;

/**
 * A switchover or promote refused or failed, or a request the monitor cannot serve yet; {@code field} names the
 * request field at fault, if any. The title comes from the status (409 Conflict, 502 Bad Gateway, ...).
 */
public class TopologyException extends ProblemException {
    private static final long serialVersionUID = 1L;

    public TopologyException(int status, String message, String field) {
        super(status, null, message, field, status == 503 ? 2 : null);
    }

    public TopologyException(int status, String message) {
        this(status, message, null);
    }
}
