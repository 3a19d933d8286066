package org.cam.management.recording.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.common.Page;
import org.cam.management.config.ManagementConfig;
import org.cam.management.recording.RecordingOutcome;
import org.cam.management.recording.RecordingPolicy;
import org.cam.management.recording.SessionRecording;
import org.cam.management.session.KvmSession;
import org.cam.management.session.SessionState;
import org.cam.management.target.Target;
import org.cam.management.target.TargetSet;
import org.jboss.logging.Logger;

/**
 * Recording policy (per target set, plus the sets configuration names), what the brokers report, the list, metadata
 * with verification, the files, and retention.
 */
@ApplicationScoped
public class RecordingService {

    private static final Logger LOG = Logger.getLogger(RecordingService.class);
    /** Session ids are base64url (any of them may come first); nothing else reaches a file name. */
    private static final Pattern SAFE_ID = org.cam.protocol.recording.RecordingIds.SAFE;
    /** How the failure of a recording without an end report begins (see {@link #adopt}). */
    static final String UNTERMINATED = "unterminated: ";

    /** How a session is recorded; serialized into the broker's claim as {@code recording}. */
    public record Decision(boolean enabled, boolean failClosed) {
        static final Decision NONE = new Decision(false, false);
    }

    /** A recording's metadata; {@code verified}: the file's chain holds and ends at the audited digest. */
    public record Metadata(String sessionId, String user, long targetId, String targetName, String mode,
                           Instant startedAt, Instant endedAt, long durationMillis, long bytes, long segments,
                           String digest, boolean complete, String failure, Boolean verified, String problem,
                           boolean fileExists, String keyText) {
    }

    public record Filter(String user, Long targetId, Instant from, Instant to, String q) {
    }

    @Inject
    ManagementConfig config;

    @Inject
    AuditService audit;

    // ---- policy -------------------------------------------------------------------------------------------------

    /** The policy for a new session on {@code t}: recorded when any of its sets says ALWAYS (or is configured so). */
    public Decision decide(Target t) {
        List<String> always = config.recording().alwaysSets().orElse(List.of());
        boolean record = false;
        boolean failClosed = false;
        List<TargetSet> sets = TargetSet.list("select s from TargetSet s join s.targets t where t.id = ?1", t.id);
        for (TargetSet s : sets) {
            if (RecordingPolicy.ALWAYS.name().equals(s.recording)) {
                record = true;
                failClosed |= s.recordingFailClosed;
            }
            if (always.contains(s.name)) {
                record = true;
                failClosed |= config.recording().alwaysSetsFailClosed();
            }
        }
        return record ? new Decision(true, failClosed) : Decision.NONE;
    }

    /** What the broker's claim carries: null when the session is not recorded. */
    @Transactional
    public Decision forSession(String sessionId) {
        KvmSession s = KvmSession.findById(sessionId);
        return s == null || !s.recorded ? null : new Decision(true, s.recordingFailClosed);
    }

    @Transactional
    public TargetSet setPolicy(long setId, RecordingPolicy policy, boolean failClosed, String actor,
                               String sourceAddress) {
        TargetSet s = TargetSet.findById(setId);
        if (s == null) {
            throw ApiException.notFound("target set", setId);
        }
        s.recording = policy.name();
        s.recordingFailClosed = failClosed;
        audit.record(actor, "RECORDING_POLICY", "target_set", s.id, AuditService.SUCCESS, sourceAddress,
                "set=" + s.name + " recording=" + policy + " failClosed=" + failClosed);
        return s;
    }

    // ---- broker reports ---------------------------------------------------------------------------------------------

    /**
     * Keeps what the broker reported for an ended session and indexes its typed text; returns the words for the
     * SESSION_END audit event (the digest among them). Runs in the end report's transaction.
     */
    public String ended(KvmSession s, RecordingOutcome o) {
        return ended(s, 1, s.claimedAt, s.endedAt, o);
    }

    /**
     * As above for one leg of a session (a resumed session records each leg in a file of its own, named by
     * {@link org.cam.protocol.recording.RecordingIds}), which started and ended at the times given.
     */
    public String ended(KvmSession s, int leg, Instant startedAt, Instant endedAt, RecordingOutcome o) {
        String id = org.cam.protocol.recording.RecordingIds.of(s.id, leg);
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
        Path file = file(id);
        if (file != null && Files.isRegularFile(file)) {
            try {
                r.keyText = RecordingFiles.scan(file, true).keyText();
            } catch (IOException e) {
                LOG.warnf("recording %s: key text not indexed: %s", id, e.getMessage());
            }
        }
        r.persist();
        return (leg > 1 ? " recordingId=" + id : "") + " recording=sha256:" + o.digest() + " recordingBytes=" + o.bytes()
                + (o.complete() ? "" : " recordingIncomplete=" + o.failure());
    }

    // ---- recordings without an end report ---------------------------------------------------------------------

    /**
     * A recorded session that ended without its broker's end report (broker_lost: the broker was killed, or cut off
     * for longer than the heartbeat allows) has no row, yet its file holds everything the broker wrote up to its last
     * segment. Such files are taken in as unterminated recordings: complete=false, the failure saying why, and the
     * digest, segments, bytes and duration of the last whole segment whose chain holds (a crash may cut the file
     * inside the next one). There is no audited digest to hold them to; verification then checks the chain.
     *
     * <p>Each runs in a transaction of its own, before the caller reads anything (MariaDB's repeatable read would
     * not show the caller rows inserted after its first read); two listings racing over one file: the second insert
     * fails and is ignored.
     */
    void adoptUnterminated() {
        Instant since = Instant.now().minus(Duration.ofDays(config.recording().retentionDays()));
        List<String> ids = QuarkusTransaction.requiringNew().call(() -> KvmSession.<KvmSession>list(
                "state = ?1 and recorded = true and claimedAt is not null and endedAt >= ?2"
                        + " and id not in (select r.sessionId from SessionRecording r)", SessionState.ENDED, since)
                .stream().map(s -> s.id).toList());
        ids.forEach(this::adopt);
        // Resumed sessions: each later leg's recording too (rare: only sessions carried by more than one broker).
        List<String> legIds = QuarkusTransaction.requiringNew().call(() -> {
            List<String> out = new java.util.ArrayList<>();
            for (KvmSession s : KvmSession.<KvmSession>list("state = ?1 and recorded = true and legs > 1"
                    + " and endedAt >= ?2", SessionState.ENDED, since)) {
                for (int leg = 2; leg <= s.legs; leg++) {
                    String id = org.cam.protocol.recording.RecordingIds.of(s.id, leg);
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
     * {@link #adoptUnterminated}); the new row or null.
     */
    SessionRecording adopt(String sessionId) {
        if (!SAFE_ID.matcher(sessionId).matches()) {
            return null;
        }
        try {
            return QuarkusTransaction.requiringNew().call(() -> {
                KvmSession s = KvmSession.findById(org.cam.protocol.recording.RecordingIds.sessionOf(sessionId));
                Path file = file(sessionId);
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
                fromSession(r, s);
                r.sessionId = sessionId;
                org.cam.management.session.SessionLeg leg = s.legs > 1 ? org.cam.management.session.SessionLeg.of(
                        s.id, org.cam.protocol.recording.RecordingIds.legOf(sessionId)) : null;
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

    private static void fromSession(SessionRecording r, KvmSession s) {
        r.sessionId = s.id;
        r.username = s.username;
        r.targetId = s.targetId;
        r.mode = s.mode.name();
        r.startedAt = s.claimedAt;
        r.endedAt = s.endedAt;
    }

    private static boolean unterminated(SessionRecording r) {
        return !r.complete && r.failure != null && r.failure.startsWith(UNTERMINATED);
    }

    /** An unterminated recording's figures: up to the last whole segment whose chain holds. */
    private static void upTo(SessionRecording r, RecordingFiles.Scan scan) {
        r.digest = scan.digest();
        r.segments = scan.segments();
        r.bytes = scan.wholeBytes();
        r.durationMs = scan.durationMillis();
    }

    // ---- reading ------------------------------------------------------------------------------------------------

    public Page<SessionRecording> list(Filter f, int page, int size) {
        adoptUnterminated();
        List<String> w = new ArrayList<>();
        Parameters p = new Parameters();
        w.add("1 = 1");
        if (f.user() != null) {
            w.add("username = :user");
            p.and("user", f.user());
        }
        if (f.targetId() != null) {
            w.add("targetId = :target");
            p.and("target", f.targetId());
        }
        if (f.from() != null) {
            w.add("startedAt >= :from");
            p.and("from", f.from());
        }
        if (f.to() != null) {
            w.add("startedAt < :to");
            p.and("to", f.to());
        }
        if (f.q() != null) {
            w.add("keyText like :q escape '!'");
            p.and("q", "%" + f.q().replace("!", "!!").replace("%", "!%").replace("_", "!_") + "%");
        }
        String where = String.join(" and ", w);
        return new Page<>(SessionRecording.<SessionRecording>find(where, Sort.descending("startedAt"), p)
                .page(page, size).list(), page, size, SessionRecording.count(where, p));
    }

    /** Metadata; {@code verify}: read the whole file and check its chain against the audited digest. */
    @Transactional
    public Metadata metadata(String sessionId, boolean verify) {
        SessionRecording r = find(sessionId);
        Path file = file(sessionId);
        boolean exists = file != null && Files.isRegularFile(file);
        Boolean verified = null;
        String problem = null;
        long bytes = r.bytes;
        if (exists && verify && unterminated(r)) {
            try {
                RecordingFiles.Scan scan = RecordingFiles.scan(file, false);
                verified = scan.chainIntact() && scan.segments() > 0;
                if (verified && scan.segments() > r.segments) {
                    // A restarted broker appended the segments it had spooled: the recording grew.
                    upTo(r, scan);
                }
                problem = scan.problem() != null ? scan.problem() : UNTERMINATED + "verified up to segment "
                        + (scan.segments() - 1) + " (" + scan.wholeBytes() + " bytes)"
                        + (scan.truncated() ? "; after it the file ends inside a segment cut by the crash" : "");
                bytes = r.bytes;
            } catch (IOException e) {
                verified = false;
                problem = "unreadable: " + e.getMessage();
            }
        } else if (exists && verify) {
            try {
                RecordingFiles.Scan scan = RecordingFiles.scan(file, false);
                verified = r.digest != null && scan.verifiesAgainst(r.digest);
                problem = scan.problem() != null ? scan.problem() : scan.truncated() ? "file ends inside a segment"
                        : Boolean.FALSE.equals(verified) ? "last digest " + scan.digest() + " is not the audited "
                        + r.digest : null;
                bytes = Files.size(file);
            } catch (IOException e) {
                verified = false;
                problem = "unreadable: " + e.getMessage();
            }
        } else if (!exists) {
            problem = "file missing";
            verified = verify ? Boolean.FALSE : null;
        }
        Target t = Target.findById(r.targetId);
        return new Metadata(r.sessionId, r.username, r.targetId, t == null ? null : t.name, r.mode, r.startedAt,
                r.endedAt, r.durationMs, bytes, r.segments, r.digest, r.complete, r.failure, verified, problem, exists,
                r.keyText);
    }

    private SessionRecording find(String sessionId) {
        SessionRecording r = sessionId == null || !SAFE_ID.matcher(sessionId).matches() ? null
                : SessionRecording.findById(sessionId);
        if (r == null && sessionId != null) {
            // Not reported by a broker: maybe one lost with its session (detached: read, not updated, here).
            r = adopt(sessionId);
        }
        if (r == null) {
            throw ApiException.notFound("recording of session", sessionId);
        }
        return r;
    }

    /** The file of a known recording (404 when the session has none). */
    @Transactional
    public Path dataFile(String sessionId) {
        find(sessionId);
        Path f = file(sessionId);
        if (f == null || !Files.isRegularFile(f)) {
            throw ApiException.notFound("recording file of session", sessionId);
        }
        return f;
    }

    /**
     * Audits that {@code actor} is watching the recording (RECORDING_VIEW): who, which session's, when, and what the
     * audit says of its digest. Called once per playback (the player's first read of the file), not per range.
     */
    @Transactional
    public void watched(String sessionId, String actor, String sourceAddress) {
        SessionRecording r = find(sessionId);
        audit.record(actor, "RECORDING_VIEW", "session", sessionId, AuditService.SUCCESS, sourceAddress,
                "user=" + r.username + " targetId=" + r.targetId + " digest=" + r.digest);
    }

    private Path file(String sessionId) {
        if (!SAFE_ID.matcher(sessionId).matches()) {
            return null;
        }
        return Path.of(config.recording().storageDir()).resolve(sessionId + ".camrec");
    }

    // ---- retention ----------------------------------------------------------------------------------------------

    @Scheduled(cron = "0 17 3 * * ?", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void daily() {
        purge(Instant.now().minus(Duration.ofDays(config.recording().retentionDays())), "management-api");
    }

    /** Deletes recordings of sessions that ended before {@code before}: file and row, each audited. */
    public int purge(Instant before, String actor) {
        List<String> ids = QuarkusTransaction.requiringNew().call(() -> SessionRecording.<SessionRecording>list(
                "endedAt < ?1", before).stream().map(r -> r.sessionId).toList());
        int n = 0;
        for (String id : ids) {
            boolean done = QuarkusTransaction.requiringNew().call(() -> {
                SessionRecording r = SessionRecording.findById(id);
                if (r == null) {
                    return false;
                }
                Path f = file(id);
                try {
                    if (f != null) {
                        Files.deleteIfExists(f);
                    }
                } catch (IOException e) {
                    audit.record(actor, "RECORDING_PURGE", "session", id, AuditService.FAILURE, null,
                            "file not deleted: " + e.getMessage());
                    return false;
                }
                r.delete();
                audit.record(actor, "RECORDING_PURGE", "session", id, AuditService.SUCCESS, null,
                        "ended " + r.endedAt + " before " + before + " (retention " + config.recording().retentionDays()
                                + " days) digest=" + r.digest + " bytes=" + r.bytes);
                return true;
            });
            if (done) {
                n++;
            }
        }
        if (n > 0) {
            LOG.infof("recordings purged: %d (ended before %s)", n, before);
        }
        return n;
    }

    /** For tests and the API: the configured storage. */
    public Optional<Path> storageDir() {
        return Optional.of(Path.of(config.recording().storageDir()));
    }
}
