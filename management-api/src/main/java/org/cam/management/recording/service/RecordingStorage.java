package org.cam.management.recording.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import org.cam.management.config.ManagementConfig;
import org.cam.protocol.recording.RecordingIds;

/** Where a recording's file is: one file per recording id in the configured storage directory. */
@ApplicationScoped
public class RecordingStorage {

    @Inject
    ManagementConfig config;

    /** Session ids are base64url (any of them may come first); nothing else reaches a file name. */
    static boolean safe(String recordingId) {
        return RecordingIds.SAFE.matcher(recordingId).matches();
    }

    /** The file of {@code recordingId}; null when the id could not be a recording's. */
    Path file(String recordingId) {
        if (!safe(recordingId)) {
            return null;
        }
        return Path.of(config.recording().storageDir()).resolve(recordingId + ".camrec");
    }
}
