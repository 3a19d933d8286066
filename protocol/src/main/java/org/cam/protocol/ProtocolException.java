package org.cam.protocol;

/**
 * The one exception every decoder and verifier in this module throws for bad input.
 *
 * <p>It names where the problem was found ({@link #offset()}: a byte offset into the input, or -1 when the
 * problem is not tied to a position, such as an expired ticket) and why ({@link #reason()}), so a service
 * can count rejects by reason and log something an operator can act on.
 */
public final class ProtocolException extends Exception {

    private static final long serialVersionUID = 1L;

    private final int offset;
    private final String reason;

    public ProtocolException(int offset, String reason) {
        super(offset >= 0 ? reason + " (at offset " + offset + ")" : reason);
        this.offset = offset;
        this.reason = reason;
    }

    public ProtocolException(String reason) {
        this(-1, reason);
    }

    /** Byte offset into the input where decoding failed, or -1 when not tied to a position. */
    public int offset() {
        return offset;
    }

    /** Short, stable description of what was wrong; fit for a metric label after normalising. */
    public String reason() {
        return reason;
    }
}
