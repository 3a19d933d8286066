package org.cam.broker.recording;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.zip.Deflater;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.cam.broker.management.EndReport;
import org.cam.protocol.recording.Record;
import org.cam.protocol.recording.RecordCodec;
import org.cam.protocol.recording.SegmentCodec;
import org.jboss.logging.Logger;

/**
 * One session's recording. The relay calls the record methods on the session's event loop: they append records to
 * pooled direct chunks (one copy of the relayed bytes, nothing else: no buffer that grows by copying, no heap array
 * the size of a segment). A full segment, the segment timer or the end hands the chunks to a writer thread, which
 * compresses them into the next segment, chains its digest and appends it to the storage file (or, when storage
 * refuses, to the spool, to be appended later). Segments of one session are written in order (a chain of futures);
 * sessions share the writer threads.
 *
 * <p>Segments are compressed in parallel (a bulk stream uses every writer, not one), sealed and appended in order.
 * Optionally ({@code recording.stored-above-backlog-bytes}, off by default) a session whose backlog grows gets its
 * segments stored with zlib level 0 (each segment names its codec: players and verifiers unchanged; bigger files,
 * only while the session floods the writers).
 *
 * <p>Threads: the record methods, {@link #flush}, {@link #close} and {@link #backlogged} belong to the event loop;
 * everything under "writer side" runs on one writer thread at a time (the chain orders them).
 */
public final class SessionRecorder {

    private static final Logger LOG = Logger.getLogger(SessionRecorder.class);
    /** Chunks of the segment being filled: pooled, and at most one is held by an idle session. */

    private final RecordingStore store;
    private final String sessionId;
    private final long startNanos;
    private final int segmentBytes;
    private final int maxBacklog;
    private final long storedAbove;

    // ---- event loop side
    /** The segment being filled: pooled direct chunks, the last one being written to. */
    private List<ByteBuf> chunks = new ArrayList<>();
    private ByteBuf current;
    private int rawBytes;
    private long firstMillis = -1;
    private long lastMillis;
    private long deviceBytes;
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    private boolean closed;
    private final AtomicLong backlog = new AtomicLong();
    private volatile Runnable onDrained;
    private volatile Consumer<Throwable> onFailure;

    // ---- writer side
    private final FileChannel storage;
    /** Bytes of the storage file known to hold whole segments (a failed append is cut back to it). */
    private long storageLength;
    private final Deque<Path> spooled = new ArrayDeque<>();
    private long spooledBytes;
    private long index;
    private byte[] previous = SegmentCodec.GENESIS;
    private volatile String failure;
    private volatile long totalBytes;
    private volatile long segments;
    private volatile long storedSegments;

    SessionRecorder(RecordingStore store, Record.Header header, FileChannel storage, long startNanos) {
        this.store = store;
        this.sessionId = header.sessionId();
        this.storage = storage;
        this.startNanos = startNanos;
        this.segmentBytes = store.config().segmentBytes();
        this.maxBacklog = store.config().maxBacklogBytes();
        this.storedAbove = store.config().storedAboveBacklogBytes();
        appendRecord(header);
        // The header goes out at once: a recording file exists and names its session from the first second.
        flush();
    }

    public String sessionId() {
        return sessionId;
    }

    /** Called on a writer thread when writing fails for good (the spool is full or unwritable too). */
    public void onFailure(Consumer<Throwable> handler) {
        this.onFailure = handler;
    }

    /** Called on a writer thread when the backlog has fallen below half the limit after {@link #backlogged}. */
    public void onDrained(Runnable r) {
        this.onDrained = r;
    }

    public boolean failed() {
        return failure != null;
    }

    // ---- records (event loop) ------------------------------------------------------------------------------------

    private long now() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Device bytes as relayed to the client. */
    public void device(ByteBuf b, int index, int length) {
        if (closed || length == 0) {
            return;
        }
        long t = stamp();
        put(RecordCodec.recordHeader(Record.DEVICE, t, length));
        put(b, index, length);
        deviceBytes += length;
        maybeFlush();
    }

    public void device(byte[] b) {
        device(Unpooled.wrappedBuffer(b), 0, b.length);
    }

    public void key(boolean down, int keysym) {
        record(new Record.Key(stamp(), down, keysym));
    }

    public void pointer(int mask, int x, int y) {
        record(new Record.Pointer(stamp(), mask, x, y));
    }

    public void clipboard(String text) {
        record(new Record.Clipboard(stamp(), text));
    }

    /** SetPixelFormat / SetEncodings as forwarded to the device. */
    public void control(byte[] message) {
        record(new Record.ClientControl(stamp(), message));
    }

    /** The broker has just asked the device for a full frame. */
    public void keyframe() {
        record(new Record.Keyframe(stamp(), deviceBytes));
    }

    private long stamp() {
        long t = now();
        if (firstMillis < 0) {
            firstMillis = t;
        }
        lastMillis = Math.max(lastMillis, t);
        return lastMillis;
    }

    private void record(Record r) {
        if (closed) {
            return;
        }
        appendRecord(r);
        maybeFlush();
    }

    private void appendRecord(Record r) {
        if (firstMillis < 0) {
            firstMillis = r.timeMillis();
        }
        put(RecordCodec.encode(r));
    }

    private void put(byte[] b) {
        put(Unpooled.wrappedBuffer(b), 0, b.length);
    }

    /** Copies into the chunks, starting a new one when the last is full (a record may span chunks). */
    private void put(ByteBuf b, int index, int length) {
        while (length > 0) {
            if (current == null || !current.isWritable()) {
                current = store.chunk();
                chunks.add(current);
            }
            int n = Math.min(length, current.writableBytes());
            current.writeBytes(b, index, n);
            index += n;
            length -= n;
            rawBytes += n;
        }
    }

    private void maybeFlush() {
        if (rawBytes >= segmentBytes) {
            flush();
        }
    }

    /** True when so much waits for the writer that the device should not be read until {@link #onDrained} runs. */
    public boolean backlogged() {
        return backlog.get() > maxBacklog;
    }

    /** Hands what is buffered to the writer as the next segment (the segment timer calls it). */
    public void flush() {
        if (closed || rawBytes == 0) {
            return;
        }
        List<ByteBuf> segment = chunks;
        int n = rawBytes;
        long first = Math.max(firstMillis, 0);
        long last = lastMillis;
        chunks = new ArrayList<>();
        current = null;
        rawBytes = 0;
        firstMillis = -1;
        backlog.addAndGet(n);
        // Compression of this segment starts now, on any writer, beside the session's other segments being
        // compressed (one session's bulk stream uses every writer); sealing (index, digest chain) and the append
        // follow in order.
        CompletableFuture<SegmentEncoder.Compressed> compressed = CompletableFuture.supplyAsync(() -> {
            try {
                // What else of the session waits decides how hard to compress it.
                int level = storedAbove > 0 && backlog.get() - n > storedAbove ? Deflater.NO_COMPRESSION
                        : store.config().compressionLevel();
                return failure != null ? null : store.encoder().compress(segment, n, first, last,
                        store.config().codec(), level, RecordingStore.ALLOC);
            } finally {
                segment.forEach(store::recycle);
            }
        }, store.writers());
        tail = tail.thenCombine(compressed, (v, c) -> c).<Void>handleAsync((c, error) -> {
            try {
                if (error != null) {
                    fail("recording cannot be compressed: " + error);
                } else if (c != null) {
                    write(c);
                }
            } finally {
                if (c != null) {
                    c.payload().release();
                }
                long left = backlog.addAndGet(-n);
                Runnable r = onDrained;
                if (r != null && left <= maxBacklog / 2) {
                    r.run();
                }
            }
            return null;
        }, store.writers());
    }

    /**
     * Writes the End record and the last segment, closes the file and tells the outcome (on a writer thread). Also
     * used when writing already failed: the outcome then says so.
     */
    public CompletableFuture<EndReport.RecordingOutcome> close(String reason) {
        if (!closed) {
            appendRecord(new Record.End(stamp(), reason));
            flush();
            closed = true;
        }
        return tail.thenApplyAsync(v -> finish(), store.writers());
    }

    // ---- writer side ---------------------------------------------------------------------------------------------

    private void write(SegmentEncoder.Compressed c) {
        if (failure != null) {
            return;
        }
        SegmentEncoder.Frame e = store.encoder().seal(index, c, previous);
        if (c.stored()) {
            storedSegments++;
        }
        try {
            // Older spooled segments first: the file must stay in index order.
            if (drainSpool() && append(e)) {
                advance(e);
                return;
            }
            spool(e);
            advance(e);
        } catch (IOException ex) {
            fail("recording cannot be written: " + ex.getMessage());
        }
    }

    private void advance(SegmentEncoder.Frame e) {
        previous = e.digest();
        index++;
        segments = index;
        totalBytes += e.length();
    }

    /** Appends to storage; false (and the file cut back) when storage refuses. */
    private boolean append(byte[] frame) {
        return append(new ByteBuffer[] {ByteBuffer.wrap(frame)}, frame.length);
    }

    private boolean append(SegmentEncoder.Frame e) {
        return append(e.buffers(), e.length());
    }

    private boolean append(ByteBuffer[] frame, int length) {
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
            if (!append(frame)) {
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

    private void fail(String why) {
        if (failure != null) {
            return;
        }
        failure = why;
        store.failed();
        LOG.warnf("recording %s failed: %s", sessionId, why);
        Consumer<Throwable> h = onFailure;
        if (h != null) {
            h.accept(new IOException(why));
        }
    }

    private EndReport.RecordingOutcome finish() {
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
        if (storedSegments > 0) {
            LOG.infof("recording %s: %d of %d segments stored uncompressed (the writer was behind)", sessionId,
                    storedSegments, segments);
        }
        return new EndReport.RecordingOutcome(index == 0 ? null : SegmentCodec.hex(previous), totalBytes, segments,
                lastMillis, failure == null, failure);
    }
}
