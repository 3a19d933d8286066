package org.cam.protocol.rfb;

/**
 * The ClientInit message (RFC 6143 section 7.3.1): one byte, the shared flag. Non-zero asks the server to
 * leave other viewers connected; zero asks it to give this client exclusive access.
 *
 * @param shared the shared flag
 */
public record ClientInit(boolean shared) {

    /** Length on the wire. */
    public static final int LENGTH = 1;

    /** The wire byte. */
    public byte[] encode() {
        return new byte[] {(byte) (shared ? 1 : 0)};
    }

    /** Decodes the flag byte (any non-zero value means shared). */
    public static ClientInit decode(byte b) {
        return new ClientInit(b != 0);
    }
}
