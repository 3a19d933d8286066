package org.cam.broker.recording;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.cam.broker.management.EndReport;
import org.cam.protocol.recording.Record;
import org.cam.protocol.recording.RecordCodec;
import org.cam.protocol.recording.SegmentCodec;

/**
 * One session's recording, as the relay sees it. The relay calls the record methods on the session's event loop:
 * they append records to the {@link OpenSegment} being filled (one copy of the relayed bytes; with LZ4, compressed
 * there chunk by chunk). A full segment, the segment timer or the end hands it over to the session's
 * {@link SegmentWriter} on a writer thread, which chains its digest and appends it to storage (or the spool). Segments
 * of one session are written in order (a chain of futures); sessions share the writer threads.
 *
 * <p>Backpressure: when more than {@code recording.max-backlog-bytes} of handed-over segments wait for the writers
 * (slow storage; zlib's compression), {@link #backlogged} tells the relay to stop reading the device until
 * {@link #onDrained} runs.
 *
 * <p>Threads: the record methods, {@link #flush}, {@link #close} and {@link #backlogged} belong to the event loop;
 * the {@link SegmentWriter} runs on one writer thread at a time (the chain orders it).
 */
public final class SessionRecorder {

    private final RecordingStore store;
    private final String sessionId;
    private final long startNanos;
    private final int segmentBytes;
    private final int maxBacklog;
    private final SegmentWriter writer;

    /** The segment being filled (event loop). */
    private final OpenSegment open;
    private long firstMillis = -1;
    private long lastMillis;
    private long deviceBytes;
    private boolean closed;
    /** Segments handed over and not yet written, in order (event loop appends, writers complete). */
    private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null);
    /** Bytes handed over and not yet written (what the segments keep in memory until then). */
    private final AtomicLong backlog = new AtomicLong();
    private volatile Runnable onDrained;
    private volatile Consumer<Throwable> onFailure;

    SessionRecorder(RecordingStore store, Record.Header header, FileChannel storage, long startNanos) {
        this.store = store;
        this.sessionId = header.sessionId();
        this.startNanos = startNanos;
        this.segmentBytes = store.config().segmentBytes();
        this.maxBacklog = store.config().maxBacklogBytes();
        this.writer = new SegmentWriter(store, sessionId, storage);
        this.open = store.config().codec() == SegmentCodec.Codec.LZ4 ? new Lz4Segment(store, store.chunk())
                : new DeflateSegment(store);
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
        return writer.failed();
    }

    private long now() {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }

    /** Device bytes as relayed to the client. */
    public void device(ByteBuf b, int index, int length) {
        if (closed || length == 0 || writer.failed()) {
            return;
        }
        long t = stamp();
        put(RecordCodec.recordHeader(Record.DEVICE, t, length));
        open.put(b, index, length);
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
        if (closed || writer.failed()) {
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
        open.put(Unpooled.wrappedBuffer(b), 0, b.length);
    }

    private void maybeFlush() {
        if (open.rawBytes() >= segmentBytes) {
            flush();
        }
    }

    /** True when so much waits for the writer that the device should not be read until {@link #onDrained} runs. */
    public boolean backlogged() {
        return backlog.get() > maxBacklog;
    }

    /** Hands what is buffered to the writer as the next segment (the segment timer calls it). */
    public void flush() {
        if (closed || open.rawBytes() == 0) {
            return;
        }
        OpenSegment.Handover h = open.close(Math.max(firstMillis, 0), lastMillis);
        firstMillis = -1;
        int held = h.heldBytes();
        backlog.addAndGet(held);
        // Compression (zlib: on a writer, beside the session's other segments; LZ4: already done) may finish out of
        // order; sealing (index, digest chain) and the append follow in order.
        tail = tail.thenCombine(h.compressed(), (v, c) -> c).<Void>handleAsync((c, error) -> {
            try {
                if (error != null) {
                    failed("recording cannot be compressed: " + error);
                } else if (c != null) {
                    boolean failedBefore = writer.failed();
                    if (!writer.write(c) && !failedBefore) {
                        notifyFailure();
                    }
                }
            } finally {
                if (c != null) {
                    store.recyclePayload(c.payload());
                }
                long left = backlog.addAndGet(-held);
                Runnable r = onDrained;
                if (r != null && left <= maxBacklog / 2) {
                    r.run();
                }
            }
            return null;
        }, store.writers());
    }

    private void failed(String why) {
        if (writer.fail(why)) {
            notifyFailure();
        }
    }

    private void notifyFailure() {
        Consumer<Throwable> h = onFailure;
        if (h != null) {
            h.accept(new IOException(writer.failure()));
        }
    }

    /**
     * Writes the End record and the last segment, closes the file and tells the outcome (on a writer thread). Also
     * used when writing already failed: the outcome then says so.
     */
    public CompletableFuture<EndReport.RecordingOutcome> close(String reason) {
        if (!closed) {
            if (!writer.failed()) {
                appendRecord(new Record.End(stamp(), reason));
                flush();
            }
            closed = true;
            open.release();
        }
        long last = lastMillis;
        return tail.thenApplyAsync(v -> writer.finish(last), store.writers());
    }
}
