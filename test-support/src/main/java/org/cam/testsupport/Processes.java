package org.cam.testsupport;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Stopping what a test started, by process id, never by name. */
public final class Processes {

    private Processes() {
    }

    /**
     * Stops the process and its descendants (helpers such as Chromium's renderers outlive their parent for a moment):
     * SIGTERM to the whole family, SIGKILL to what is still there after 10 s.
     */
    public static void stop(Process p) {
        List<ProcessHandle> family = Stream.concat(p.descendants(), Stream.of(p.toHandle())).toList();
        family.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : family) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }
}
