package org.cam.management.recording.service;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.recording.KeyText;
import org.cam.protocol.recording.Record;
import org.cam.protocol.recording.RecordCodec;
import org.cam.protocol.recording.SegmentCodec;

/**
 * Reads a recording file segment by segment (never the whole file in memory): the chain check, the duration, and the
 * typed text. The same rules as protocol's {@code RecordingScan}, streaming.
 */
final class RecordingFiles {

    private RecordingFiles() {
    }

    /**
     * @param chainIntact every whole segment's digest and index hold
     * @param truncated   the file ends inside a segment
     * @param digest      hex digest of the last whole segment, or null
     * @param keyText     the typed text (when asked for), else null
     * @param wholeBytes  bytes from the start to the end of the last whole segment whose digest holds
     */
    record Scan(long segments, boolean chainIntact, boolean truncated, String digest, long durationMillis,
                String problem, String keyText, long wholeBytes) {
        boolean verifiesAgainst(String expected) {
            return chainIntact && !truncated && digest != null && digest.equalsIgnoreCase(expected);
        }
    }

    static Scan scan(Path file, boolean keys) throws IOException {
        KeyText text = keys ? new KeyText() : null;
        byte[] previous = SegmentCodec.GENESIS;
        long index = 0;
        long duration = 0;
        long whole = 0;
        try (InputStream in = Files.newInputStream(file)) {
            while (true) {
                byte[] header = in.readNBytes(SegmentCodec.HEADER_LENGTH);
                if (header.length == 0) {
                    return new Scan(index, true, false, hex(index, previous), duration, null, str(text), whole);
                }
                if (header.length < SegmentCodec.HEADER_LENGTH) {
                    return new Scan(index, true, true, hex(index, previous), duration, null, str(text), whole);
                }
                SegmentCodec.FrameHeader h;
                try {
                    h = SegmentCodec.readHeader(header, 0, header.length);
                } catch (ProtocolException e) {
                    return new Scan(index, false, false, hex(index, previous), duration,
                            "segment " + index + ": " + e.reason(), str(text), whole);
                }
                byte[] frame = new byte[(int) h.frameLength()];
                System.arraycopy(header, 0, frame, 0, header.length);
                int rest = frame.length - header.length;
                if (in.readNBytes(frame, header.length, rest) < rest) {
                    return new Scan(index, true, true, hex(index, previous), duration, null, str(text), whole);
                }
                if (h.index() != index) {
                    return new Scan(index, false, false, hex(index, previous), duration,
                            "segment " + index + " is numbered " + h.index(), str(text), whole);
                }
                byte[] d = SegmentCodec.verify(h, frame, 0, previous);
                if (d == null) {
                    return new Scan(index, false, false, hex(index, previous), duration,
                            "segment " + index + ": digest does not match", str(text), whole);
                }
                if (text != null) {
                    try {
                        byte[] raw = SegmentCodec.decompress(h, frame, 0);
                        List<Record> records = RecordCodec.decodeAll(raw, 0, raw.length);
                        for (Record r : records) {
                            if (r instanceof Record.Key k) {
                                text.key(k.down(), k.keysym());
                            }
                        }
                    } catch (ProtocolException e) {
                        return new Scan(index, false, false, hex(index, previous), duration,
                                "segment " + index + ": " + e.reason(), str(text), whole);
                    }
                }
                previous = d;
                duration = h.lastMillis();
                whole += frame.length;
                index++;
            }
        } catch (EOFException e) {
            return new Scan(index, true, true, hex(index, previous), duration, null, str(text), whole);
        }
    }

    private static String hex(long segments, byte[] d) {
        return segments == 0 ? null : SegmentCodec.hex(d);
    }

    private static String str(KeyText t) {
        return t == null ? null : t.text();
    }
}
