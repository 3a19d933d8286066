package org.cam.testsupport.fs;

import java.io.IOException;
import java.nio.file.Path;
import org.cam.testsupport.net.Netns;

/**
 * A read-only file system (an empty tmpfs mounted {@code ro}) over a directory, for tests of what a service does when
 * its storage turns read-only (needs root, as {@link Netns}; CI runs as root). Root ignores permission bits, so a
 * read-only mount is the honest way to get EROFS. {@link #close()} unmounts it and the directory is as before.
 */
public final class ReadOnlyMount implements AutoCloseable {

    private final Path dir;

    private ReadOnlyMount(Path dir) {
        this.dir = dir;
    }

    /** Mounts an empty read-only tmpfs over {@code dir} (which must exist). */
    public static ReadOnlyMount over(Path dir) throws IOException, InterruptedException {
        Netns.run("mount", "-t", "tmpfs", "-o", "ro,size=1m,mode=0755", "cam-ro", dir.toAbsolutePath().toString());
        return new ReadOnlyMount(dir);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Netns.run("umount", dir.toAbsolutePath().toString());
    }
}
