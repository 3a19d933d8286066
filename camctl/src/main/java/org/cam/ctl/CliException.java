package org.cam.ctl;

/** A failure camctl explains itself: the message goes to stderr and the run exits with {@code exitCode}. */
final class CliException extends RuntimeException {
    final int exitCode;

    CliException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }
}
