package org.cam.replication.failover;

/** A switchover or promote refused or failed; {@code field} names the request field at fault, if any. */
public class TopologyException extends RuntimeException {

    private final int status;
    private final String field;

    public TopologyException(int status, String message, String field) {
        super(message);
        this.status = status;
        this.field = field;
    }

    public TopologyException(int status, String message) {
        this(status, message, null);
    }

    public int status() {
        return status;
    }

    public String field() {
        return field;
    }
}
