package org.cam.broker.recording;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.zip.Deflater;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import org.cam.protocol.recording.Lz4Frame;
import org.cam.protocol.recording.SegmentCodec;
import org.jboss.logging.Logger;

/**
 * The broker's segment encoder: the format of protocol's {@link SegmentCodec}, in two steps: compression
 * ({@link #lz4Block} on the event loop as a {@link Lz4Segment} fills, or {@link #deflate} on any writer thread,
 * several segments of one session at once) and {@link #seal} (a session's segments in order: header and digest chain,
 * a few bytes and a hash of the compressed payload). An instance is one writer thread's (its Deflater and digest).
 *
 * <p>Why not {@link SegmentCodec#encode}: it deflates from and into heap arrays, and the JDK pins a heap array for the
 * whole native call (a JNI critical section): while a writer deflated a 4 MiB segment, a garbage collection the relay
 * threads needed waited ("GCLocker Initiated GC") and the relay with it; it also allocated segment-sized arrays per
 * segment (G1 humongous objects) and copied them three times. Direct pooled buffers are never pinned nor collected.
 *
 * <p>LZ4 (the default codec): each 64 KiB chunk of the recorder is one block of an LZ4 frame ({@link Lz4Frame}),
 * compressed by lz4-java's native compressor from direct to direct memory (its address, no copy, no pinning); where
 * the native library cannot be loaded, by its Java implementation (same output format, slower).
 */
final class SegmentEncoder {

    /** A compressed segment: the payload (a pooled buffer the caller releases) and what the header needs. */
    record Compressed(ByteBuf payload, SegmentCodec.Codec codec, int rawLength, long first, long last) {
    }

    /** One sealed segment: header, payload, digest. */
    record Frame(byte[] header, ByteBuffer payload, byte[] digest) {
        int length() {
            return header.length + payload.remaining() + digest.length;
        }

        /** Fresh buffers for one write (a write consumes them; a failed write is retried from the start). */
        ByteBuffer[] buffers() {
            return new ByteBuffer[] {ByteBuffer.wrap(header), payload.duplicate(), ByteBuffer.wrap(digest)};
        }

        /** The whole segment as one array (the spool's slow path). */
        byte[] toArray() {
            byte[] b = new byte[length()];
            System.arraycopy(header, 0, b, 0, header.length);
            payload.duplicate().get(b, header.length, payload.remaining());
            System.arraycopy(digest, 0, b, header.length + payload.remaining(), digest.length);
            return b;
        }
    }

    private static final Logger LOG = Logger.getLogger(SegmentEncoder.class);
    /** Whether lz4-java's native code loads here (decided once, logged once). */
    private static final boolean NATIVE_LZ4 = nativeLz4();
    /**
     * Each thread's LZ4 compressor: with native code, one that keeps its 16 KiB hash state between blocks (reset, not
     * re-initialised, per block: a tenth less CPU per block than {@code fastCompressor()}, which sets up the state on
     * every call), so not shared between threads; the event loops and writers are few and live as long as the broker.
     */
    private static final ThreadLocal<LZ4Compressor> LZ4 = ThreadLocal.withInitial(() -> NATIVE_LZ4
            ? LZ4Factory.nativeInstance().fastResetCompressor() : LZ4Factory.fastestJavaInstance().fastCompressor());
    private static final byte[] LZ4_HEADER = Lz4Frame.header();

    private final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
    private final MessageDigest sha256;

    /**
     * lz4-java's native compressor. Not {@code LZ4Factory.fastestInstance()}: that takes native code only when lz4-java
     * was loaded by the system class loader, which in a Quarkus application it is not, and silently gave the Java
     * compressor (several times the CPU per byte: the relay benchmark's profile). The native library is unpacked into
     * {@code java.io.tmpdir}; where that fails (no writable temporary directory, another platform) the Java one is
     * used, and the log says so.
     */
    private static boolean nativeLz4() {
        try {
            LZ4Factory.nativeInstance().fastResetCompressor().close();
            LOG.info("recording: lz4-java's native LZ4 compressor");
            return true;
        } catch (LinkageError | RuntimeException e) {
            LOG.warnf("recording: lz4-java's native compressor is unavailable (%s); segments are compressed by its Java"
                    + " compressor, at a higher CPU cost per byte", e.toString());
            return false;
        }
    }

    SegmentEncoder() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /**
     * Deflates {@code chunks} (whole records, {@code rawLength} bytes in all) at zlib {@code level} (a writer thread:
     * the {@link DeflateSegment}s of the zlib codec).
     */
    Compressed deflate(List<ByteBuf> chunks, int rawLength, long first, long last, int level, ByteBuf out) {
        deflater.reset();
        deflater.setLevel(level);
        try {
            for (ByteBuf c : chunks) {
                if (!c.isReadable()) {
                    continue;
                }
                deflater.setInput(c.nioBuffer());
                while (!deflater.needsInput()) {
                    out = deflate(out);
                }
            }
            deflater.finish();
            while (!deflater.finished()) {
                out = deflate(out);
            }
            return new Compressed(out, SegmentCodec.Codec.ZLIB, rawLength, first, last);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    /** Starts an LZ4 segment payload in {@code out} (empty, direct): the frame header, for {@link #lz4Block}s. */
    static ByteBuf lz4Frame(ByteBuf out) {
        return out.writeBytes(LZ4_HEADER);
    }

    /**
     * Appends {@code src[index, index+n)} (at most {@link Lz4Frame#MAX_BLOCK} bytes, direct memory) to {@code frame}
     * as one block: compressed, or stored when that would not be smaller. Any thread (each has its own compressor):
     * the event loops call it. The frame ends with {@code writeIntLE(0)} (the end mark).
     */
    static void lz4Block(ByteBuf src, int index, int n, ByteBuf frame) {
        if (n > Lz4Frame.MAX_BLOCK) {
            throw new IllegalArgumentException("block of " + n + " bytes is larger than an LZ4 block");
        }
        LZ4Compressor lz4 = LZ4.get();
        frame.ensureWritable(4 + lz4.maxCompressedLength(n));
        int at = frame.writerIndex();
        ByteBuffer dst = frame.internalNioBuffer(at + 4, frame.writableBytes() - 4);
        int size = lz4.compress(src.nioBuffer(index, n), 0, n, dst, dst.position(), dst.remaining());
        if (size < n) {
            frame.setIntLE(at, size);
            frame.writerIndex(at + 4 + size);
        } else {
            // Incompressible: the block is stored (never bigger than the input plus its size).
            frame.setIntLE(at, n | Lz4Frame.STORED);
            frame.writerIndex(at + 4);
            frame.writeBytes(src, index, n);
        }
    }

    /** {@link #lz4Block} of {@code chunk}'s readable bytes. */
    static void lz4Block(ByteBuf chunk, ByteBuf frame) {
        lz4Block(chunk, chunk.readerIndex(), chunk.readableBytes(), frame);
    }

    private ByteBuf deflate(ByteBuf out) {
        if (!out.isWritable()) {
            // Incompressible data (or stored blocks) needs a little more than its own size: grow, keeping what is in.
            out.ensureWritable(Math.max(4096, out.capacity()));
        }
        ByteBuffer w = out.internalNioBuffer(out.writerIndex(), out.writableBytes());
        int before = w.position();
        deflater.deflate(w, Deflater.NO_FLUSH);
        out.writerIndex(out.writerIndex() + w.position() - before);
        return out;
    }

    /** Segment {@code index} of {@code c}, chained to {@code previousDigest}. */
    Frame seal(long index, Compressed c, byte[] previousDigest) {
        ByteBuffer payload = c.payload().nioBuffer();
        byte[] header = new byte[SegmentCodec.HEADER_LENGTH];
        SegmentCodec.putHeader(header, c.codec(), index, c.first(), c.last(), c.rawLength(), payload.remaining());
        sha256.update(previousDigest);
        sha256.update(header);
        sha256.update(payload.duplicate());
        return new Frame(header, payload, sha256.digest());
    }
}
