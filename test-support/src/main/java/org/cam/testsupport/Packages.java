package org.cam.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The tools a test needs, installed when missing by the checkout's {@code scripts/ensure-packages.sh} (Debian
 * packages, as the launcher installs its own): tests never rely on something installed by hand.
 */
public final class Packages {

    private Packages() {
    }

    /** The checkout: {@code -Dcam.root.dir} when set, else the nearest folder up from here with the script. */
    public static Path checkout() {
        String configured = System.getProperty("cam.root.dir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve("scripts/ensure-packages.sh"))) {
                return p;
            }
        }
        throw new IllegalStateException("no checkout (scripts/ensure-packages.sh) above " + Path.of("").toAbsolutePath());
    }

    /** Installs the package of each {@code command=package} whose command is missing; fails when it cannot. */
    public static void ensure(String... commandEqualsPackage) {
        List<String> cmd = new ArrayList<>(List.of("bash", checkout().resolve("scripts/ensure-packages.sh").toString()));
        cmd.addAll(List.of(commandEqualsPackage));
        try {
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("ensure-packages timed out: " + String.join(" ", commandEqualsPackage));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("could not install " + String.join(" ", commandEqualsPackage)
                        + " (ensure-packages exited " + p.exitValue() + ")");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
