package org.cam.management.recording.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.cam.management.audit.service.AuditService;
import org.cam.management.config.ManagementConfig;
import org.cam.management.recording.SessionRecording;
import org.jboss.logging.Logger;

/** Recordings are kept for {@code cam.management.recording.retention-days}; a daily job deletes older ones. */
@ApplicationScoped
public class RecordingRetention {

    private static final Logger LOG = Logger.getLogger(RecordingRetention.class);

    @Inject
    ManagementConfig config;

    @Inject
    AuditService audit;

    @Inject
    RecordingStorage storage;

    @Scheduled(cron = "0 17 3 * * ?", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void daily() {
        purge(Instant.now().minus(Duration.ofDays(config.recording().retentionDays())), "management-api");
    }

    /**
     * Deletes recordings of sessions that ended before {@code before}: file and row, each audited. One transaction
     * per recording, so a file that cannot be deleted keeps only its own row.
     */
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
                Path f = storage.file(id);
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
}
