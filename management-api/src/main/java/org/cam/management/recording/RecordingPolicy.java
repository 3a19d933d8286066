package org.cam.management.recording;

/** Whether sessions on a target set's targets are recorded. The default in code is NEVER. */
public enum RecordingPolicy {
    NEVER, ALWAYS
}
