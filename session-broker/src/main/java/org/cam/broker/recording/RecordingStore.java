package org.cam.broker.recording;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.cam.broker.BrokerConfig;
import org.cam.protocol.recording.Record;
import org.cam.protocol.recording.RecordingIds;

/**
 * Where recordings go: the storage directory shared with management-api (one append-only {@code <session>.camrec}
 * per session) and, for segments the storage would not take, the local spool ({@code <spool>/<session>/<index>.seg}),
 * bounded for all sessions together. The broker keeps no state of its own: a recording lives in storage, the spool
 * only bridges a storage hiccup, and a broker that restarts with spooled segments (a container restart keeps an
 * emptyDir) appends them to storage first.
 *
 * <p>Why a shared directory rather than an object store: management-api must serve byte ranges of growing files
 * and scan them for verification; a ReadWriteMany volume (NFS, CephFS, a cloud file share) does both with no new
 * client, no credentials in the broker and no multipart-upload state to lose in a crash. The segment format already
 * makes each append independent, so moving to an object store later means one object per segment.
 */
@ApplicationScoped
public class RecordingStore {

    /** Session ids are base64url (any of them may come first); nothing else reaches a file name. */
    private static final Pattern SAFE_ID = RecordingIds.SAFE;
    public static final String SUFFIX = ".camrec";
    /** A recorder's unit of buffering: at most one LZ4 block of a segment. */
    static final int CHUNK = 64 * 1024;
    static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;
    /** A payload buffer's first size: a screen's 4 MiB segment compresses to some tens of KiB. */
    static final int PAYLOAD = 256 * 1024;

    private final BrokerConfig.Recording config;
    private final AtomicLong spooledBytes = new AtomicLong();
    private final AtomicInteger failures = new AtomicInteger();
    private ExecutorService writers;
    private final ThreadLocal<SegmentEncoder> encoders = ThreadLocal.withInitial(SegmentEncoder::new);
    /**
     * Recorders' chunks given back once their segment is compressed, for the next ones (at most twice a session's
     * backlog limit; beyond that they go back to Netty's pool). Why not Netty's pooled allocator alone: as the
     * backlogs rose and fell it freed whole pool chunks and made new ones (zeroed direct memory, a Cleaner, run
     * arrays each) on the event loops, a fifth of their profile samples with recording on (docs/performance.md).
     */
    private final ArrayBlockingQueue<ByteBuf> freeChunks;
    private final ArrayBlockingQueue<ByteBuf> freePayloads = new ArrayBlockingQueue<>(64);

    public RecordingStore(BrokerConfig config) {
        this.config = config.recording();
        this.freeChunks = new ArrayBlockingQueue<>(Math.max(16, (int) Math.min(4096,
                2L * this.config.maxBacklogBytes() / CHUNK)));
    }

    /**
     * An empty buffer for a segment's compressed payload (direct memory, grows as needed; give it back with
     * {@link #recyclePayload}). Kept like the chunks: payloads are begun on the event loops and freed on the writers,
     * and the pool's churn of whole chunks under that pattern is what the chunk queue was measured to remove.
     */
    ByteBuf payload() {
        ByteBuf b = freePayloads.poll();
        return b != null ? b : ALLOC.directBuffer(PAYLOAD);
    }

    /** A payload written: kept for the next {@link #payload} unless it grew large or enough are kept. */
    void recyclePayload(ByteBuf b) {
        if (b.capacity() > 4 * PAYLOAD || !freePayloads.offer(b.clear())) {
            b.release();
        }
    }

    /** An empty chunk of {@link #CHUNK} bytes for a recorder (direct memory; give it back with {@link #recycle}). */
    ByteBuf chunk() {
        ByteBuf b = freeChunks.poll();
        return b != null ? b : ALLOC.directBuffer(CHUNK, CHUNK);
    }

    /** A chunk whose bytes are no longer needed: kept for the next {@link #chunk}, or freed when enough are kept. */
    void recycle(ByteBuf b) {
        if (!freeChunks.offer(b.clear())) {
            b.release();
        }
    }

    void onStart(@Observes StartupEvent e) {
        AtomicInteger n = new AtomicInteger();
        writers = Executors.newFixedThreadPool(Math.max(1, config.writerThreads()), r -> {
            Thread t = new Thread(r, "recording-writer-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        SpoolRecovery.recover(Path.of(config.spoolDir()), this::storageFile);
    }

    void onStop(@Observes @Priority(10) ShutdownEvent e) throws InterruptedException {
        if (writers != null) {
            writers.shutdown();
            writers.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    public BrokerConfig.Recording config() {
        return config;
    }

    ExecutorService writers() {
        return writers;
    }

    /** The calling writer thread's encoder (its Deflater, digest and output buffer live as long as the thread). */
    SegmentEncoder encoder() {
        return encoders.get();
    }

    /** Bytes waiting in the spool (all sessions). */
    public long spooledBytes() {
        return spooledBytes.get();
    }

    /** Recordings that failed to be written since start. */
    public int failures() {
        return failures.get();
    }

    void failed() {
        failures.incrementAndGet();
    }

    /** Takes {@code n} bytes of spool budget; false when the spool is full. */
    boolean reserveSpool(long n) {
        long now;
        do {
            now = spooledBytes.get();
            if (now + n > config.spoolMaxBytes()) {
                return false;
            }
        } while (!spooledBytes.compareAndSet(now, now + n));
        return true;
    }

    void releaseSpool(long n) {
        spooledBytes.addAndGet(-n);
    }

    public Path storageFile(String sessionId) {
        return Path.of(config.storageDir()).resolve(sessionId + SUFFIX);
    }

    Path spoolDir(String sessionId) {
        return Path.of(config.spoolDir()).resolve(sessionId);
    }

    /**
     * Starts a recording: creates its storage file (blocking: run on a writer thread). Fails when the storage cannot
     * take a new file (read-only, missing, full) or the session already has a recording.
     */
    public SessionRecorder open(Record.Header header, long startNanos) throws IOException {
        if (!SAFE_ID.matcher(header.sessionId()).matches()) {
            throw new IOException("session id not usable as a file name");
        }
        Path dir = Path.of(config.storageDir());
        Files.createDirectories(dir);
        FileChannel storage = FileChannel.open(storageFile(header.sessionId()), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        return new SessionRecorder(this, header, storage, startNanos);
    }

    /** {@link #open} on a writer thread. */
    public CompletableFuture<SessionRecorder> openAsync(Record.Header header, long startNanos) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return open(header, startNanos);
            } catch (IOException ex) {
                failed();
                throw new CompletionException(ex);
            }
        }, writers);
    }
}
