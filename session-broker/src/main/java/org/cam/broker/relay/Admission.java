package org.cam.broker.relay;

/**
 * What a session tells the connection limits about its client connection (see listener.ConnectionLimits): when the
 * client's unattended opening is done, when the handshake is over, and each one-time password guess.
 */
public interface Admission {

    /** The client has sent what it sends without a person in the loop; the hello timeout stops. */
    void helloDone();

    /** What happens when the hello timeout fires before {@link #helloDone}; replaces the listener's plain close. */
    void onHelloTimeout(Runnable action);

    /** The session relays now: it no longer counts as a handshake under way. */
    void handshakeDone();

    /** Takes one guess from the client address's allowance; false when it has none left. */
    boolean takeGuess();

    /** The guess was right: it goes back to the allowance, which thus limits wrong guesses (and those under way). */
    void guessRight();

}
