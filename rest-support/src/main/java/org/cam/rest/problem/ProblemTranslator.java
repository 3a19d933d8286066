package org.cam.rest.problem;

import java.util.Optional;

/**
 * What a service knows about its own failures that the shared mapper cannot: a database that stopped being the
 * primary is a 503, a stale version a 409. The mapper asks every translator bean, in priority order (lowest
 * {@link #priority()} first), before it calls an exception unexpected (500).
 */
public interface ProblemTranslator {
    /** The problem this failure is, or empty when this translator does not know it. */
    Optional<ProblemException> translate(Throwable failure);

    default int priority() {
        return 100;
    }
}
