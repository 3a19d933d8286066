package org.cam.protocol.recording;

import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.cam.protocol.ProtocolException;

/**
 * Reads a whole recording file (or the prefix that exists): the segments, whether their chain holds, whether the file
 * ends inside a segment (a writer that died mid-write), and the digest of the last complete segment.
 *
 * @param segments      every complete segment whose chain holds, in order
 * @param chainIntact   false when a segment's digest, index or framing is wrong (everything from it on is left out)
 * @param problem       what broke the chain or framing, or null
 * @param truncatedTail the file ends inside a segment (a crash while writing it); the segments before it still count
 * @param digest        hex digest of the last segment in {@code segments} (the recording's digest), or null when none
 */
public record RecordingScan(List<Segment> segments, boolean chainIntact, String problem, boolean truncatedTail,
                            String digest) {

    public RecordingScan {
        segments = List.copyOf(segments);
    }

    /**
     * A complete, chained segment.
     *
     * @param offset where it starts in the file
     */
    public record Segment(SegmentCodec.FrameHeader header, long offset, String digest) {
    }

    /**
     * True when the chain holds, nothing is cut off and the last digest equals {@code expectedHex} (the digest kept
     * apart from the file, e.g. in the SESSION_END audit event).
     */
    public boolean verifiesAgainst(String expectedHex) {
        return chainIntact && !truncatedTail && digest != null && expectedHex != null
                && MessageDigest.isEqual(digest.getBytes(), expectedHex.toLowerCase(java.util.Locale.ROOT).getBytes());
    }

    /** Milliseconds from the first to the last record of the complete segments. */
    public long durationMillis() {
        return segments.isEmpty() ? 0 : segments.get(segments.size() - 1).header().lastMillis();
    }

    /** Scans {@code b[off, off+len)}. Never throws: what is wrong is in the result. */
    public static RecordingScan of(byte[] b, int off, int len) {
        List<Segment> out = new ArrayList<>();
        byte[] previous = SegmentCodec.GENESIS;
        int pos = off;
        int end = off + len;
        long expectedIndex = 0;
        while (pos < end) {
            int left = end - pos;
            if (left < SegmentCodec.HEADER_LENGTH) {
                return new RecordingScan(out, true, null, true, hex(out));
            }
            SegmentCodec.FrameHeader h;
            try {
                h = SegmentCodec.readHeader(b, pos, left);
            } catch (ProtocolException e) {
                return new RecordingScan(out, false, "segment " + expectedIndex + " at " + (pos - off) + ": "
                        + e.reason(), false, hex(out));
            }
            if (h.frameLength() > left) {
                return new RecordingScan(out, true, null, true, hex(out));
            }
            if (h.index() != expectedIndex) {
                return new RecordingScan(out, false, "segment " + expectedIndex + " at " + (pos - off)
                        + " is numbered " + h.index(), false, hex(out));
            }
            byte[] d = SegmentCodec.verify(h, b, pos, previous);
            if (d == null) {
                return new RecordingScan(out, false, "segment " + expectedIndex + " at " + (pos - off)
                        + ": digest does not match", false, hex(out));
            }
            out.add(new Segment(h, pos - off, SegmentCodec.hex(d)));
            previous = d;
            pos += (int) h.frameLength();
            expectedIndex++;
        }
        return new RecordingScan(out, true, null, false, hex(out));
    }

    private static String hex(List<Segment> s) {
        return s.isEmpty() ? null : s.get(s.size() - 1).digest();
    }
}
