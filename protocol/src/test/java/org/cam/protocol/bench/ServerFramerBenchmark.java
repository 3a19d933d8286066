package org.cam.protocol.bench;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.rfb.Encodings;
import org.cam.protocol.rfb.PixelFormat;
import org.cam.protocol.rfb.ServerMessageFramer;
import org.cam.protocol.rfb.ServerMessages;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What framing costs the relay per 1024x768 FramebufferUpdate, read in 64 KiB chunks as from a socket: Raw (lengths
 * only, 3 MiB), and Hextile with every tile a 5-byte solid tile (the worst case: one header per 16x16 tile, 15 KiB).
 * Run: see protocol/README.md; figures in docs/performance.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ServerFramerBenchmark {

    private static final int W = 1024;
    private static final int H = 768;
    private static final int CHUNK = 64 * 1024;

    @Param({"raw", "hextile"})
    public String encoding;

    private byte[] update;
    private ServerMessageFramer framer;

    @Setup
    public void setUp() {
        boolean raw = "raw".equals(encoding);
        int tiles = (W / 16) * (H / 16);
        update = new byte[16 + (raw ? W * H * 4 : tiles * 5)];
        System.arraycopy(ServerMessages.framebufferUpdateHeader(1), 0, update, 0, 4);
        new ServerMessages.RectangleHeader(0, 0, W, H, raw ? Encodings.RAW : Encodings.HEXTILE).encodeTo(update, 4);
        for (int t = 0; !raw && t < tiles; t++) {
            update[16 + 5 * t] = 2;   // BackgroundSpecified: one pixel follows
        }
        framer = new ServerMessageFramer(PixelFormat.RGB888);
    }

    @Benchmark
    public long frameOneUpdate() throws ProtocolException {
        for (int off = 0; off < update.length; off += CHUNK) {
            ByteBuffer b = ByteBuffer.wrap(update, off, Math.min(CHUNK, update.length - off));
            while (b.hasRemaining()) {
                framer.advance(b);
            }
        }
        return framer.messages();
    }
}
