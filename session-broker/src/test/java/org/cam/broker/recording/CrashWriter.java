package org.cam.broker.recording;

import org.cam.broker.BrokerConfig;
import org.cam.protocol.recording.RecordCodec;
import org.cam.protocol.recording.Record;
import org.cam.protocol.recording.SegmentCodec;
import org.cam.protocol.rfb.PixelFormat;
import org.cam.protocol.rfb.ServerInit;

/**
 * A process that records a made-up session forever through the broker's real {@link RecordingStore} and
 * {@link SessionRecorder}, for {@link RecordingCrashTest} to kill with SIGKILL. Each round records one raw 64x64
 * FramebufferUpdate and a key press, and hands the buffer to the writer (as the segment timer does).
 * Arguments: storage directory, spool directory, session id.
 */
public final class CrashWriter {

    private CrashWriter() {
    }

    public static void main(String[] args) throws Exception {
        BrokerConfig config = RecordingConfigs.of(args[0], args[1], SegmentCodec.Codec.LZ4, 1 << 20, 1);
        RecordingStore store = new RecordingStore(config);
        store.onStart(null);
        ServerInit init = new ServerInit(1024, 768, PixelFormat.RGB888, "crash");
        SessionRecorder r = store.open(new Record.Header(0, RecordCodec.VERSION, args[2], "t-crash", "uma",
                "CONTROL", System.currentTimeMillis(), 1024, 768, PixelFormat.RGB888, init.encode()), System.nanoTime());
        byte[] update = new byte[4 + 12 + 64 * 64 * 4];
        update[3] = 1; // one rectangle, raw, at 0,0
        update[8] = 0;
        update[9] = 64;
        update[10] = 0;
        update[11] = 64;
        long round = 0;
        while (true) {
            for (int i = 16; i < update.length; i++) {
                update[i] = (byte) (round + i / 256);
            }
            r.device(update);
            r.key(true, 'a' + (int) (round % 26));
            r.key(false, 'a' + (int) (round % 26));
            r.flush();
            round++;
            if (round % 10 == 0) {
                System.out.println("round " + round);
            }
            // Pace the writer like a session (and the machine's other tests): one round per 20 ms.
            Thread.sleep(20);
        }
    }
}
