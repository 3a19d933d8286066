package org.cam.management.recording.service;

import io.quarkus.panache.common.Parameters;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.common.Page;
import org.cam.management.recording.SessionRecording;
import org.cam.management.target.Target;

/**
 * The recordings as admins and auditors read them: the list (filters, and the typed text), a recording's metadata
 * with verification, its file, and the audited viewing. Recordings without an end report are taken in first
 * ({@link UnterminatedRecordings}), so they are listed and found like the others.
 */
@ApplicationScoped
public class RecordingCatalog {

    /** A recording's metadata; {@code verified}: the file's chain holds and ends at the audited digest. */
    public record Metadata(String sessionId, String user, long targetId, String targetName, String mode,
                           Instant startedAt, Instant endedAt, long durationMillis, long bytes, long segments,
                           String digest, boolean complete, String failure, Boolean verified, String problem,
                           boolean fileExists, String keyText) {
    }

    /** {@code target}: part of the target's name (any case); {@code q}: part of the typed text. */
    public record Filter(String user, Long targetId, String target, Instant from, Instant to, String q) {
    }

    /** A listed recording with its target's name (null when the target has been deleted since). */
    public record Listed(SessionRecording recording, String targetName) {
    }

    @Inject
    AuditService audit;

    @Inject
    RecordingStorage storage;

    @Inject
    UnterminatedRecordings unterminated;

    @Transactional
    public Page<Listed> list(Filter f, int page, int size) {
        unterminated.adoptAll();
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
        if (f.target() != null) {
            w.add("targetId in (select t.id from Target t where lower(t.name) like :targetName escape '!')");
            p.and("targetName", "%" + likeEscaped(f.target().toLowerCase(Locale.ROOT)) + "%");
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
            p.and("q", "%" + likeEscaped(f.q()) + "%");
        }
        String where = String.join(" and ", w);
        List<SessionRecording> found = SessionRecording.<SessionRecording>find(where, Sort.descending("startedAt"), p)
                .page(page, size).list();
        // The page's target names in one query: a reader searches by what the targets are called.
        Set<Long> ids = found.stream().map(r -> r.targetId).collect(Collectors.toSet());
        Map<Long, String> names = ids.isEmpty() ? Map.of() : Target.<Target>list("id in ?1", ids).stream()
                .collect(Collectors.toMap(t -> t.id, t -> t.name));
        return new Page<>(found.stream().map(r -> new Listed(r, names.get(r.targetId))).toList(), page, size,
                SessionRecording.count(where, p));
    }

    /** {@code s} for a LIKE pattern with escape character {@code !}: its own % and _ match only themselves. */
    private static String likeEscaped(String s) {
        return s.replace("!", "!!").replace("%", "!%").replace("_", "!_");
    }

    /** Metadata; {@code verify}: read the whole file and check its chain against the audited digest. */
    @Transactional
    public Metadata metadata(String sessionId, boolean verify) {
        SessionRecording r = find(sessionId);
        Path file = storage.file(sessionId);
        boolean exists = file != null && Files.isRegularFile(file);
        Boolean verified = null;
        String problem = null;
        long bytes = r.bytes;
        if (exists && verify && UnterminatedRecordings.unterminated(r)) {
            try {
                RecordingFiles.Scan scan = RecordingFiles.scan(file, false);
                verified = scan.chainIntact() && scan.segments() > 0;
                if (verified && scan.segments() > r.segments) {
                    // A restarted broker appended the segments it had spooled: the recording grew.
                    UnterminatedRecordings.upTo(r, scan);
                }
                problem = scan.problem() != null ? scan.problem() : UnterminatedRecordings.UNTERMINATED
                        + "verified up to segment " + (scan.segments() - 1) + " (" + scan.wholeBytes() + " bytes)"
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

    /** The file of a known recording (404 when the session has none). */
    @Transactional
    public Path dataFile(String sessionId) {
        find(sessionId);
        Path f = storage.file(sessionId);
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

    private SessionRecording find(String sessionId) {
        SessionRecording r = sessionId == null || !RecordingStorage.safe(sessionId) ? null
                : SessionRecording.findById(sessionId);
        if (r == null && sessionId != null) {
            // Not reported by a broker: maybe one lost with its session (detached: read, not updated, here).
            r = unterminated.adopt(sessionId);
        }
        if (r == null) {
            throw ApiException.notFound("recording of session", sessionId);
        }
        return r;
    }
}
