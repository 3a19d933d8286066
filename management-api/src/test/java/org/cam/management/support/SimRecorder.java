package org.cam.management.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.recording.Record;
import org.cam.protocol.recording.RecordCodec;
import org.cam.protocol.recording.SegmentCodec;
import org.cam.protocol.rfb.ClientMessage;
import org.cam.protocol.rfb.PixelFormat;
import org.cam.testsupport.rfb.RfbTestClient;

/**
 * Records a session with a simulated device the way the broker does (protocol's record and segment codecs, zlib
 * segments chained by SHA-256), playing the client itself: the device's bytes as it sent them, every key, the
 * client's SetPixelFormat/SetEncodings, keyframes. The client speaks noVNC's pixel format and ZRLE, as the
 * in-browser console does, so the player (noVNC) reads the stream as the console did. Times are given by the caller
 * (milliseconds since the start), so a one-hour recording takes seconds to make.
 */
public final class SimRecorder implements AutoCloseable {
    /** noVNC's pixel format (its SetPixelFormat): 32 bpp, depth 24, little-endian, red at bit 0. */
    public static final PixelFormat NOVNC = new PixelFormat(32, 24, false, true, 255, 255, 255, 0, 8, 16);
    /** A segment is cut at this many raw bytes or after this long, as the broker's defaults do. */
    private static final int SEGMENT_BYTES = 4 * 1024 * 1024;
    private static final long SEGMENT_MILLIS = 5000;
    private static final int ZRLE = 16;
    private static final int COPY_RECT = 1;

    private final RfbTestClient client;
    private final Path file;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private long first = -1;
    private long last;
    private long index;
    private long deviceBytes;
    private byte[] previous = SegmentCodec.GENESIS;
    private final SegmentCodec.Codec codec;

    /** As the broker records by default (LZ4 segments). */
    public SimRecorder(String host, int port, String sessionId, Path file) throws IOException, ProtocolException {
        this(host, port, sessionId, file, SegmentCodec.Codec.LZ4);
    }

    /**
     * Connects to the channel, writes the header, sets noVNC's format and ZRLE, and records the first full frame;
     * segments compressed with {@code codec} (zlib: as recordings were before LZ4).
     */
    public SimRecorder(String host, int port, String sessionId, Path file, SegmentCodec.Codec codec)
            throws IOException, ProtocolException {
        this.file = file;
        this.codec = codec;
        this.client = RfbTestClient.tcp(host, port);
        if (!client.handshake(null)) {
            throw new IOException("the simulated channel refused: " + client.failureReason);
        }
        byte[] init = client.serverInit().encode();
        add(new Record.Header(0, RecordCodec.VERSION, sessionId, "1", "admin", "CONTROL", System.currentTimeMillis(),
                client.width(), client.height(), client.serverInit().pixelFormat(), init));
        ClientMessage format = new ClientMessage.SetPixelFormat(NOVNC);
        ClientMessage encodings = new ClientMessage.SetEncodings(List.of(ZRLE, COPY_RECT, 0));
        client.pixelFormat(NOVNC);
        client.send(encodings);
        add(new Record.ClientControl(0, format.encode()));
        add(new Record.ClientControl(0, encodings.encode()));
        update(0, false);
    }

    /** Asks for an update (incremental: waits until the screen changed) and records it at {@code t}. */
    public void update(long t, boolean incremental) throws IOException, ProtocolException {
        client.request(incremental);
        byte[] m = client.readMessage();
        deviceBytes += m.length;
        add(new Record.Device(t, m));
    }

    /** A full frame the way the broker's keyframes are made: marked, then asked for non-incrementally. */
    public void keyframe(long t) throws IOException, ProtocolException {
        add(new Record.Keyframe(t, deviceBytes));
        update(t, false);
    }

    /**
     * Types {@code keysym} (press and release) at {@code t} and records the update it causes at {@code t + 20}. A
     * space at the end of the simulator's keys line changes no pixel, so it gets no update until the next key.
     */
    public void type(long t, int keysym) throws IOException, ProtocolException {
        add(new Record.Key(t, true, keysym));
        add(new Record.Key(t + 5, false, keysym));
        client.typeKey(keysym);
        if (keysym != ' ') {
            update(t + 20, true);
        }
    }

    public long deviceBytes() {
        return deviceBytes;
    }

    private void add(Record r) {
        if (first >= 0 && r.timeMillis() - first >= SEGMENT_MILLIS) {
            cut();
        }
        if (first < 0) {
            first = r.timeMillis();
        }
        last = r.timeMillis();
        raw.writeBytes(RecordCodec.encode(r));
        if (raw.size() >= SEGMENT_BYTES) {
            cut();
        }
    }

    private void cut() {
        if (raw.size() == 0) {
            return;
        }
        byte[] b = raw.toByteArray();
        SegmentCodec.Encoded e = SegmentCodec.encode(index++, first, last, b, 0, b.length, previous, codec);
        out.writeBytes(e.frame());
        previous = e.digest();
        raw = new ByteArrayOutputStream();
        first = -1;
    }

    /** Ends the recording at {@code t}, writes the file and returns its digest (what the broker's end report says). */
    public String finish(long t) throws IOException {
        add(new Record.End(t, "client_closed"));
        cut();
        Files.createDirectories(file.getParent());
        Files.write(file, out.toByteArray());
        return SegmentCodec.hex(previous);
    }

    public long segments() {
        return index;
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
