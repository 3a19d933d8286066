package org.cam.broker.recording;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.cam.protocol.recording.RecordingIds;
import org.cam.protocol.recording.RecordingScan;
import org.jboss.logging.Logger;

/**
 * At start: what a previous run of this broker left in the spool (a container restart keeps an emptyDir) is appended
 * to storage, in index order, after cutting the storage file back to its last whole segment; then removed.
 */
final class SpoolRecovery {

    private static final Logger LOG = Logger.getLogger(SpoolRecovery.class);
    private static final Pattern SAFE_ID = RecordingIds.SAFE;

    private SpoolRecovery() {
    }

    /** Appends what a previous run of this broker left in the spool to storage (in index order), then removes it. */
    static void recover(Path spool, Function<String, Path> storageFile) {
        if (!Files.isDirectory(spool)) {
            return;
        }
        try (DirectoryStream<Path> sessions = Files.newDirectoryStream(spool)) {
            for (Path dir : sessions) {
                String id = dir.getFileName().toString();
                if (!Files.isDirectory(dir) || !SAFE_ID.matcher(id).matches()) {
                    continue;
                }
                try {
                    recover(id, dir, storageFile.apply(id));
                } catch (IOException ex) {
                    LOG.warnf("recording %s: spooled segments not recovered: %s", id, ex.getMessage());
                }
            }
        } catch (IOException ex) {
            LOG.warnf("recording spool %s unreadable: %s", spool, ex.getMessage());
        }
    }

    private static void recover(String id, Path dir, Path file) throws IOException {
        List<Path> segments = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.seg")) {
            ds.forEach(segments::add);
        }
        segments.sort(null);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            // A crash may have cut the storage file inside a segment: cut it back to its last whole segment.
            byte[] all = Files.readAllBytes(file);
            RecordingScan scan = RecordingScan.of(all, 0, all.length);
            long good = scan.segments().isEmpty() ? 0 : scan.segments().get(scan.segments().size() - 1).offset()
                    + scan.segments().get(scan.segments().size() - 1).header().frameLength();
            long next = scan.segments().size();
            ch.truncate(good);
            ch.position(good);
            for (Path seg : segments) {
                long index = Long.parseLong(seg.getFileName().toString().replace(".seg", ""));
                if (index == next) {
                    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(seg));
                    while (b.hasRemaining()) {
                        ch.write(b);
                    }
                    next++;
                }
                Files.delete(seg);
            }
            ch.force(true);
        }
        Files.deleteIfExists(dir);
        LOG.infof("recording %s: %d spooled segments recovered into %s", id, segments.size(), file);
    }
}
