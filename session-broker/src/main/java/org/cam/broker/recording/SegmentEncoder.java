package org.cam.broker.recording;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
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
 * One writer thread's segment encoder: the format of protocol's {@link SegmentCodec}, in two steps so that the costly
 * one runs in parallel: {@link #compress} (any writer thread, several segments of one session at once) and
 * {@link #seal} (the session's segments in order: header and digest chain, a few bytes and a hash of the compressed
 * payload).
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
    record Compressed(ByteBuf payload, SegmentCodec.Codec codec, int rawLength, long first, long last,
                      boolean stored) {
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
    private static final LZ4Compressor LZ4 = lz4Compressor();
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
    private static LZ4Compressor lz4Compressor() {
        try {
            LZ4Compressor c = LZ4Factory.nativeInstance().fastCompressor();
            LOG.infof("recording: LZ4 compressor %s", c);
            return c;
        } catch (LinkageError | RuntimeException e) {
            LOG.warnf("recording: lz4-java's native compressor is unavailable (%s); segments are compressed by its Java"
                    + " compressor, at a higher CPU cost per byte", e.toString());
            return LZ4Factory.fastestJavaInstance().fastCompressor();
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
     * Compresses {@code chunks} (whole records, {@code rawLength} bytes in all, each chunk at most
     * {@link Lz4Frame#MAX_BLOCK}) with {@code codec}; {@code level} is zlib's ({@link Deflater#NO_COMPRESSION}: stored
     * as zlib whatever the codec).
     */
    Compressed compress(List<ByteBuf> chunks, int rawLength, long first, long last, SegmentCodec.Codec codec,
                        int level, ByteBufAllocator alloc) {
        if (codec == SegmentCodec.Codec.LZ4 && level != Deflater.NO_COMPRESSION) {
            return lz4(chunks, rawLength, first, last, alloc);
        }
        deflater.reset();
        deflater.setLevel(level);
        // Pixels that repeat shrink a hundredfold; start small and grow (the pool hands out power-of-two sizes).
        ByteBuf out = alloc.directBuffer(level == Deflater.NO_COMPRESSION ? rawLength + 1024
                : Math.max(4096, rawLength / 16));
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
            return new Compressed(out, SegmentCodec.Codec.ZLIB, rawLength, first, last,
                    level == Deflater.NO_COMPRESSION);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
    }

    private static Compressed lz4(List<ByteBuf> chunks, int rawLength, long first, long last,
                                  ByteBufAllocator alloc) {
        ByteBuf out = alloc.directBuffer(Math.max(4096, rawLength / 16));
        try {
            out.writeBytes(LZ4_HEADER);
            for (ByteBuf c : chunks) {
                int n = c.readableBytes();
                if (n == 0) {
                    continue;
                }
                if (n > Lz4Frame.MAX_BLOCK) {
                    throw new IllegalArgumentException("chunk of " + n + " bytes is larger than an LZ4 block");
                }
                out.ensureWritable(4 + LZ4.maxCompressedLength(n));
                int at = out.writerIndex();
                ByteBuffer dst = out.internalNioBuffer(at + 4, out.writableBytes() - 4);
                int size = LZ4.compress(c.nioBuffer(), 0, n, dst, dst.position(), dst.remaining());
                if (size < n) {
                    out.setIntLE(at, size);
                    out.writerIndex(at + 4 + size);
                } else {
                    // Incompressible: the block is stored (never bigger than the input plus its size).
                    out.setIntLE(at, n | Lz4Frame.STORED);
                    out.writerIndex(at + 4);
                    out.writeBytes(c, c.readerIndex(), n);
                }
            }
            out.writeIntLE(0);
            return new Compressed(out, SegmentCodec.Codec.LZ4, rawLength, first, last, false);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
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
