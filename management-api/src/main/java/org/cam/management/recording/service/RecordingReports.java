package org.cam.management.recording.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.cam.management.recording.RecordingOutcome;
import org.cam.management.recording.SessionRecording;
import org.cam.management.session.KvmSession;
import org.cam.protocol.recording.RecordingIds;
import org.jboss.logging.Logger;

/** What a broker reports of a recording when its session (or one leg of it) ends. */
@ApplicationScoped
public class RecordingReports {

    private static final Logger LOG = Logger.getLogger(RecordingReports.class);

    @Inject
    RecordingStorage storage;

    /**
     * Keeps what the broker reported for an ended session and indexes its typed text; returns the words for the
     * SESSION_END audit event (the digest among them). Runs in the end report's transaction.
     */
    public String ended(KvmSession s, RecordingOutcome o) {
        return ended(s, 1, s.claimedAt, s.endedAt, o);
    }

    /**
     * As above for one leg of a session (a resumed session records each leg in a file of its own, named by
     * {@link RecordingIds}), which started and ended at the times given.
     */
    public String ended(KvmSession s, int leg, Instant startedAt, Instant endedAt, RecordingOutcome o) {
        String id = RecordingIds.of(s.id, leg);
        SessionRecording r = SessionRecording.findById(id);
        if (r == null) {
            r = new SessionRecording();
        }
        fromSession(r, s);
        r.sessionId = id;
        r.startedAt = startedAt;
        r.endedAt = endedAt;
        r.digest = o.digest();
        r.bytes = o.bytes();
        r.segments = o.segments();
        r.durationMs = o.durationMillis();
        r.complete = o.complete();
        r.failure = o.failure();
        Path file = storage.file(id);
        if (file != null && Files.isRegularFile(file)) {
            try {
                r.keyText = RecordingFiles.scan(file, true).keyText();
            } catch (IOException e) {
                LOG.warnf("recording %s: key text not indexed: %s", id, e.getMessage());
            }
        }
        r.persist();
        return (leg > 1 ? " recordingId=" + id : "") + " recording=sha256:" + o.digest()
                + " recordingBytes=" + o.bytes()
                + (o.complete() ? "" : " recordingIncomplete=" + o.failure());
    }

    /** The row's fields its session decides (a leg's times and id are then set by the caller). */
    static void fromSession(SessionRecording r, KvmSession s) {
        r.sessionId = s.id;
        r.username = s.username;
        r.targetId = s.targetId;
        r.mode = s.mode.name();
        r.startedAt = s.claimedAt;
        r.endedAt = s.endedAt;
    }
}
