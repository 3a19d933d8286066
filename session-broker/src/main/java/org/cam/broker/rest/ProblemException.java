package org.cam.broker.rest;

/** An error the admin API answers as RFC 7807 problem+json. */
public class ProblemException extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private final int status;
    private final String title;
    private final String field;

    public ProblemException(int status, String title, String detail, String field) {
        super(detail);
        this.status = status;
        this.title = title;
        this.field = field;
    }

    public int status() {
        return status;
    }

    public String title() {
        return title;
    }

    public String field() {
        return field;
    }
}
