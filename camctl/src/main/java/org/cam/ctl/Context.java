package org.cam.ctl;

import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;

/** What a run of camctl talks to: its streams and environment, passed in so tests run it in-process. */
record Context(PrintWriter out, PrintWriter err, InputStream in, Map<String, String> env) {

    /** $CAMCTL_CONFIG, else ~/.config/camctl/config (kubectl's habit of one file per user). */
    Path configFile() {
        String explicit = env.get("CAMCTL_CONFIG");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".config", "camctl", "config");
    }
}
