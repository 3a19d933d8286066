package org.cam.discovery.scan;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/** A scan as GET /api/v1/scans/{id} shows it. */
public record ScanView(
        String id,
        String status,
        String port,
        List<String> broadcast,
        String cidr,
        long timeoutMs,
        Integer probingPort,
        long planned,
        long sent,
        long sendErrors,
        Instant startedAt,
        Instant finishedAt,
        Long durationMs,
        int responderCount,
        List<Scan.Responder> responders) {

    static ScanView of(Scan s) {
        Instant finished = s.finishedAt;
        return new ScanView(s.id, s.status.name(), s.portMode, s.broadcast,
                s.cidr == null ? null : s.cidr.toString(), s.timeoutMs,
                s.currentPort == 0 ? null : s.currentPort, s.planned.get(), s.sent.get(), s.sendErrors.get(),
                s.startedAt, finished, finished == null ? null : finished.toEpochMilli() - s.startedAt.toEpochMilli(),
                s.responders.size(),
                s.responders.values().stream().sorted(Comparator.comparing(Scan.Responder::deviceId)).toList());
    }
}
