package org.cam.management.recording.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.cam.management.config.ManagementConfig;
import org.cam.management.recording.SessionRecording;
import org.cam.management.session.KvmSession;
import org.cam.management.session.SessionLeg;
import org.cam.management.session.SessionState;
import org.cam.protocol.recording.RecordingIds;
import org.jboss.logging.Logger;

/**
 * A recorded session that ended without its broker's end report (broker_lost: the broker was killed, or cut off
 * for longer than the heartbeat allows) has no row, yet its file holds everything the broker wrote up to its last
 * segment. Such files are taken in as unterminated recordings: complete=false, the failure saying why, and the
 * digest, segments, bytes and duration of the last whole segment whose chain holds (a crash may cut the file
 * inside the next one). There is no audited digest to hold them to; verification then checks the chain.
 */
@ApplicationScoped
public class UnterminatedRecordings {

    private static final Logger LOG = Logger.getLogger(UnterminatedRecordings.class);
    /** How the failure of a recording without an end report begins (see {@link #adopt}). */
    static final String UNTERMINATED = "unterminated: ";

    @Inject
    ManagementConfig config;

    @Inject
    RecordingStorage storage;

    /**
     * Takes in every unterminated recording of the retention period. Each runs in a transaction of its own, before
     * the caller reads anything (MariaDB's repeatable read would not show the caller rows inserted after its first
     * read); two listings racing over one file: the second insert fails and is ignored.
     */
    void adoptAll() {
        Instant since = Instant.now().minus(Duration.ofDays(config.recording().retentionDays()));
        List<String> ids = QuarkusTransaction.requiringNew().call(() -> KvmSession.<KvmSession>list(
                "state = ?1 and recorded = true and claimedAt is not null and endedAt >= ?2"
                        + " and id not in (select r.sessionId from SessionRecording r)", SessionState.ENDED, since)
                .stream().map(s -> s.id).toList());
        ids.forEach(this::adopt);
        // Resumed sessions: each later leg's recording too (rare: only sessions carried by more than one broker).
        List<String> legIds = QuarkusTransaction.requiringNew().call(() -> {
            List<String> out = new ArrayList<>();
            for (KvmSession s : KvmSession.<KvmSession>list("state = ?1 and recorded = true and legs > 1"
                    + " and endedAt >= ?2", SessionState.ENDED, since)) {
                for (int leg = 2; leg <= s.legs; leg++) {
                    String id = RecordingIds.of(s.id, leg);
                    if (SessionRecording.findById(id) == null) {
                        out.add(id);
                    }
                }
            }
            return out;
        });
        legIds.forEach(this::adopt);
    }

    /**
     * Adopts one recording (a session's, or one leg's of a resumed session) when it has no row yet (see
     * {@link #adoptAll}); the new row or null.
     */
    SessionRecording adopt(String sessionId) {
        if (!RecordingStorage.safe(sessionId)) {
            return null;
        }
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                KvmSession s = KvmSession.findById(RecordingIds.sessionOf(sessionId));
                Path file = storage.file(sessionId);
                if (s == null || s.state != SessionState.ENDED || !s.recorded || s.claimedAt == null
                        || SessionRecording.findById(sessionId) != null || !Files.isRegularFile(file)) {
                    return null;
                }
                RecordingFiles.Scan scan;
                try {
                    scan = RecordingFiles.scan(file, true);
                } catch (IOException e) {
                    LOG.warnf("recording %s: unterminated file unreadable: %s", sessionId, e.getMessage());
                    return null;
                }
                SessionRecording r = new SessionRecording();
                RecordingReports.fromSession(r, s);
                r.sessionId = sessionId;
                SessionLeg leg = s.legs > 1 ? SessionLeg.of(s.id, RecordingIds.legOf(sessionId)) : null;
                if (leg != null) {
                    r.startedAt = leg.claimedAt;
                    r.endedAt = leg.endedAt;
                }
                r.complete = false;
                r.failure = UNTERMINATED + "the session ended " + s.endReason + " without the broker's end report;"
                        + " the recording holds what the broker wrote up to its last whole segment";
                r.keyText = scan.keyText();
                upTo(r, scan);
                r.persist();
                LOG.infof("recording %s: listed unterminated (session ended %s), %d whole segments", sessionId,
                        s.endReason, scan.segments());
                return r;
            });
        } catch (RuntimeException e) {
            // Another request adopted it first (primary key), or the database is away: the next listing tries again.
            LOG.debugf("recording %s: not adopted: %s", sessionId, e.getMessage());
            return null;
        }
    }

    static boolean unterminated(SessionRecording r) {
        return !r.complete && r.failure != null && r.failure.startsWith(UNTERMINATED);
    }

    /** An unterminated recording's figures: up to the last whole segment whose chain holds. */
    static void upTo(SessionRecording r, RecordingFiles.Scan scan) {
        r.digest = scan.digest();
        r.segments = scan.segments();
        r.bytes = scan.wholeBytes();
        r.durationMs = scan.durationMillis();
    }
}
