package org.cam.broker.recording;

import java.lang.reflect.Proxy;
import java.time.Duration;
import org.cam.broker.BrokerConfig;
import org.cam.protocol.recording.SegmentCodec;

/** A {@link BrokerConfig} with only its recording part, for a {@link RecordingStore} outside Quarkus. */
final class RecordingConfigs {

    private RecordingConfigs() {
    }

    static BrokerConfig of(String storageDir, String spoolDir, SegmentCodec.Codec codec, int segmentBytes,
                           int writerThreads) {
        BrokerConfig.Recording rc = (BrokerConfig.Recording) Proxy.newProxyInstance(
                RecordingConfigs.class.getClassLoader(), new Class<?>[] {BrokerConfig.Recording.class}, (p, m, a) ->
                        switch (m.getName()) {
                            case "storageDir" -> storageDir;
                            case "spoolDir" -> spoolDir;
                            case "spoolMaxBytes" -> 64L << 20;
                            case "segmentInterval" -> Duration.ofMillis(50);
                            case "segmentBytes" -> segmentBytes;
                            case "maxBacklogBytes" -> 16 << 20;
                            case "keyframeInterval" -> Duration.ofSeconds(60);
                            case "codec" -> codec;
                            case "compressionLevel" -> 1;
                            case "writerThreads" -> writerThreads;
                            default -> throw new UnsupportedOperationException(m.getName());
                        });
        return (BrokerConfig) Proxy.newProxyInstance(RecordingConfigs.class.getClassLoader(),
                new Class<?>[] {BrokerConfig.class}, (p, m, a) -> {
                    if (m.getName().equals("recording")) {
                        return rc;
                    }
                    throw new UnsupportedOperationException(m.getName());
                });
    }
}
