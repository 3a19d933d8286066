package org.cam.broker.recording;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;
import org.cam.protocol.recording.Lz4Frame;
import org.cam.protocol.recording.SegmentCodec;

/**
 * A segment compressed as it fills, on the event loop: small records are gathered in one 64 KiB chunk, which becomes
 * one block of the segment's LZ4 frame each time it is full (and is reused); device reads of
 * {@link #ZERO_COPY_MIN} or more become blocks of their own, compressed straight from the relayed buffer. LZ4 costs
 * the event loop some 0.15 ms per MiB. The writer threads then only hash and append the payload.
 *
 * <p>Why on the event loop, not on the writers as zlib is: handing 4 MiB of raw chunks to a writer meant a session's
 * backlog was counted in raw bytes and, at relay rates, 16 MiB of it was 11 ms of stream; whenever both cores were
 * busy the writers fell that far behind and paused the device, however cheap LZ4 was (the relay benchmark's recorded
 * passes swung from 221 to 1,027 MiB/s). Compressed here, what waits for a writer is a hundredth of that on screens,
 * and a session holds one chunk, not a pool of them.
 */
final class Lz4Segment implements OpenSegment {

    /**
     * Device data at least this long is compressed from the relayed buffer itself, not copied into the chunk first
     * (one pass over the bytes fewer per relayed byte); smaller records are gathered in the chunk, so
     * a typing session does not become thousands of tiny blocks.
     */
    static final int ZERO_COPY_MIN = 8 * 1024;

    private final RecordingStore store;
    private final ByteBuf chunk;
    private ByteBuf payload;
    private int rawBytes;

    Lz4Segment(RecordingStore store, ByteBuf chunk) {
        this.store = store;
        this.chunk = chunk;
    }

    @Override
    public void put(ByteBuf b, int index, int length) {
        if (length >= ZERO_COPY_MIN && b.isDirect() && b.nioBufferCount() == 1) {
            // A device read (the bulk of a recording): its own blocks, compressed straight from the relayed
            // buffer, after what the chunk holds so far (the record's header) as a small block of its own.
            if (chunk.isReadable()) {
                compressChunk();
            }
            for (int at = index, end = index + length; at < end; at += Lz4Frame.MAX_BLOCK) {
                SegmentEncoder.lz4Block(b, at, Math.min(Lz4Frame.MAX_BLOCK, end - at), payload());
            }
            rawBytes += length;
            return;
        }
        while (length > 0) {
            if (!chunk.isWritable()) {
                compressChunk();
            }
            int n = Math.min(length, chunk.writableBytes());
            chunk.writeBytes(b, index, n);
            index += n;
            length -= n;
            rawBytes += n;
        }
    }

    private ByteBuf payload() {
        if (payload == null) {
            payload = SegmentEncoder.lz4Frame(store.payload());
        }
        return payload;
    }

    private void compressChunk() {
        SegmentEncoder.lz4Block(chunk, payload());
        chunk.clear();
    }

    @Override
    public int rawBytes() {
        return rawBytes;
    }

    @Override
    public Handover close(long firstMillis, long lastMillis) {
        if (chunk.isReadable()) {
            compressChunk();
        }
        ByteBuf p = payload();
        p.writeIntLE(0);
        SegmentEncoder.Compressed c = new SegmentEncoder.Compressed(p, SegmentCodec.Codec.LZ4, rawBytes, firstMillis,
                lastMillis);
        payload = null;
        rawBytes = 0;
        return new Handover(CompletableFuture.completedFuture(c), p.readableBytes());
    }

    @Override
    public void release() {
        if (payload != null) {
            store.recyclePayload(payload);
            payload = null;
        }
        store.recycle(chunk);
    }
}
