package org.cam.protocol.recording;

import java.util.regex.Pattern;

/**
 * Which recording a leg of a session writes. A session that resumes on another broker is carried by several legs,
 * each by one broker; each leg is recorded in a file of its own (a broker never appends to another's chain): the
 * first leg's recording is named by the session id, leg {@code n > 1}'s by {@code <session id>.<n>}. Session ids are
 * base64url, which has no '.', so the two never meet.
 */
public final class RecordingIds {
    /** What a recording id may be (and so a file name): nothing that could leave the storage directory. */
    public static final Pattern SAFE = Pattern.compile("[A-Za-z0-9_-]{1,64}(\\.[1-9][0-9]{0,5})?");

    private RecordingIds() {
    }

    /** The recording id of the session's leg ({@code leg} 0 or 1: the session's first, named by the session id). */
    public static String of(String sessionId, int leg) {
        return leg <= 1 ? sessionId : sessionId + "." + leg;
    }

    /** The session a recording id belongs to. */
    public static String sessionOf(String recordingId) {
        int dot = recordingId.indexOf('.');
        return dot < 0 ? recordingId : recordingId.substring(0, dot);
    }

    /** The leg a recording id records (1 for the session's own). */
    public static int legOf(String recordingId) {
        int dot = recordingId.indexOf('.');
        return dot < 0 ? 1 : Integer.parseInt(recordingId.substring(dot + 1));
    }
}
