package org.cam.broker.recording;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import org.cam.broker.management.EndReport;
import org.cam.protocol.recording.SegmentCodec;
import org.jboss.logging.Logger;

/**
 * The writer side of one session's recording: seals compressed segments into the SHA-256 chain, in order, and
 * appends them to the storage file, or, while storage refuses, to the local spool (appended first once storage takes
 * segments again, so the file stays in index order). Runs on one writer thread at a time: the recorder's chain of
 * futures orders the calls; only {@link #failed} and the totals are read from other threads.
 */
final class SegmentWriter {

    private static final Logger LOG = Logger.getLogger(SegmentWriter.class);

    private final RecordingStore store;
    private final String sessionId;
    private final FileChannel storage;
    /** Bytes of the storage file known to hold whole segments (a failed append is cut back to it). */
    private long storageLength;
    private final Deque<Path> spooled = new ArrayDeque<>();
    private long spooledBytes;
    private long index;
    private byte[] previous = SegmentCodec.GENESIS;
    private volatile String failure;
    private volatile long totalBytes;

    SegmentWriter(RecordingStore store, String sessionId, FileChannel storage) {
        this.store = store;
        this.sessionId = sessionId;
        this.storage = storage;
    }

    /** Why the recording failed for good (storage and spool both refused), or null. */
    String failure() {
        return failure;
    }

    boolean failed() {
        return failure != null;
    }

    /** Seals {@code c} as the next segment and appends it (or spools it); false when the recording has failed. */
    boolean write(SegmentEncoder.Compressed c) {
        if (failure != null) {
            return false;
        }
        SegmentEncoder.Frame e = store.encoder().seal(index, c, previous);
        try {
            // Older spooled segments first: the file must stay in index order.
            if (!(drainSpool() && append(e.buffers(), e.length()))) {
                spool(e);
            }
            previous = e.digest();
            index++;
            totalBytes += e.length();
            return true;
        } catch (IOException ex) {
            fail("recording cannot be written: " + ex.getMessage());
            return false;
        }
    }

    /** Marks the recording failed (first reason wins); true when this call failed it. */
    boolean fail(String why) {
        if (failure != null) {
            return false;
        }
        failure = why;
        store.failed();
        LOG.warnf("recording %s failed: %s", sessionId, why);
        return true;
    }

    /** Appends to storage; false (and the file cut back) when storage refuses. */
    private boolean append(ByteBuffer[] frame, long length) {
        try {
            storage.position(storageLength);
            long left = length;
            while (left > 0) {
                left -= storage.write(frame);
            }
            storageLength += length;
            return true;
        } catch (IOException ex) {
            LOG.debugf("recording %s: storage refused a segment: %s", sessionId, ex.getMessage());
            try {
                storage.truncate(storageLength);
            } catch (IOException ignored) {
                // Next append starts at storageLength anyway; the scan ignores a cut tail.
            }
            return false;
        }
    }

    private boolean drainSpool() throws IOException {
        while (!spooled.isEmpty()) {
            Path p = spooled.peekFirst();
            byte[] frame = Files.readAllBytes(p);
            if (!append(new ByteBuffer[] {ByteBuffer.wrap(frame)}, frame.length)) {
                return false;
            }
            Files.delete(p);
            spooled.removeFirst();
            spooledBytes -= frame.length;
            store.releaseSpool(frame.length);
        }
        return true;
    }

    private void spool(SegmentEncoder.Frame e) throws IOException {
        if (!store.reserveSpool(e.length())) {
            throw new IOException("storage refused the segment and the spool is full");
        }
        Path dir = store.spoolDir(sessionId);
        Files.createDirectories(dir);
        Path p = dir.resolve(String.format("%010d.seg", index));
        try {
            Files.write(p, e.toArray(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException ex) {
            store.releaseSpool(e.length());
            throw ex;
        }
        spooled.addLast(p);
        spooledBytes += e.length();
        LOG.infof("recording %s: storage refused segment %d, spooled (%d bytes waiting)", sessionId, index,
                spooledBytes);
    }

    /** Appends what is still spooled if storage takes it, closes the file and tells the outcome. */
    EndReport.RecordingOutcome finish(long lastMillis) {
        try {
            if (failure == null && !drainSpool()) {
                LOG.warnf("recording %s: %d segments stay in the spool until storage takes them", sessionId,
                        spooled.size());
            }
        } catch (IOException ex) {
            fail("spooled segments cannot be read: " + ex.getMessage());
        }
        try {
            storage.force(true);
            storage.close();
        } catch (IOException ex) {
            LOG.warnf("recording %s: closing: %s", sessionId, ex.getMessage());
        }
        if (spooled.isEmpty()) {
            try {
                Files.deleteIfExists(store.spoolDir(sessionId));
            } catch (IOException ignored) {
                // A leftover empty directory is removed by the next start's recovery.
            }
        }
        return new EndReport.RecordingOutcome(index == 0 ? null : SegmentCodec.hex(previous), totalBytes, index,
                lastMillis, failure == null, failure);
    }
}
