package org.cam.broker.recording;

import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A segment for the zlib codec: raw records in pooled 64 KiB chunks, deflated by a writer thread when the segment is
 * closed (zlib costs ten times LZ4's CPU per byte, too much for the event loop). Segments of one session are
 * deflated in parallel; the recorder seals them in order.
 */
final class DeflateSegment implements OpenSegment {

    private final RecordingStore store;
    private List<ByteBuf> chunks = new ArrayList<>();
    private ByteBuf current;
    private int rawBytes;

    DeflateSegment(RecordingStore store) {
        this.store = store;
    }

    @Override
    public void put(ByteBuf b, int index, int length) {
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

    @Override
    public int rawBytes() {
        return rawBytes;
    }

    @Override
    public Handover close(long firstMillis, long lastMillis) {
        List<ByteBuf> segment = chunks;
        int n = rawBytes;
        chunks = new ArrayList<>();
        current = null;
        rawBytes = 0;
        int level = store.config().compressionLevel();
        CompletableFuture<SegmentEncoder.Compressed> compressed = CompletableFuture.supplyAsync(() -> {
            try {
                return store.encoder().deflate(segment, n, firstMillis, lastMillis, level, store.payload());
            } finally {
                segment.forEach(store::recycle);
            }
        }, store.writers());
        return new Handover(compressed, n);
    }

    @Override
    public void release() {
        chunks.forEach(store::recycle);
        chunks = new ArrayList<>();
        current = null;
    }
}
