package org.cam.broker.recording;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.CompletableFuture;

/**
 * The segment a recorder is filling, on the session's event loop: records are copied in as they are relayed, and
 * {@link #close} hands the segment over for sealing and appending. Two ways to fill one, by codec: {@link Lz4Segment}
 * compresses each 64 KiB chunk on the event loop as it fills (what waits for the writer is already compressed, a
 * hundredth of the stream on pixels), {@link DeflateSegment} keeps the raw chunks for a writer thread to deflate
 * (zlib costs ten times LZ4's CPU per byte: not on the event loop).
 */
interface OpenSegment {

    /** Copies {@code b[index, index+length)} in (a record may span chunks). */
    void put(ByteBuf b, int index, int length);

    /** Record bytes in so far, before compression. */
    int rawBytes();

    /**
     * Ends this segment: its compressed payload, now or from a writer thread, and how many bytes it keeps in memory
     * until it is written ({@link Handover#heldBytes}, the recorder's backlog).
     */
    Handover close(long firstMillis, long lastMillis);

    /** Frees what it holds (the recorder is closed or failed). */
    void release();

    /** A closed segment on its way to the writer. */
    record Handover(CompletableFuture<SegmentEncoder.Compressed> compressed, int heldBytes) {
    }
}
