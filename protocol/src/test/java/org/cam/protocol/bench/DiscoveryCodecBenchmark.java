package org.cam.protocol.bench;

import java.util.concurrent.TimeUnit;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.cam.protocol.discovery.DiscoveryFixtures;
import org.cam.protocol.discovery.DiscoveryMessage;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * ANNOUNCE encode and decode, unsigned and HMAC-signed. Run: see protocol/README.md; figures in
 * docs/performance.md.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class DiscoveryCodecBenchmark {

    @Param({"unsigned", "signed"})
    public String signing;

    private DiscoveryCodec codec;
    private DiscoveryMessage announce;
    private byte[] datagram;

    @Setup
    public void setUp() {
        codec = "signed".equals(signing) ? DiscoveryCodec.signed(DiscoveryFixtures.KEY) : DiscoveryCodec.unsigned();
        announce = DiscoveryFixtures.sampleAnnounce();
        datagram = codec.encode(announce);
    }

    @Benchmark
    public byte[] encodeAnnounce() {
        return codec.encode(announce);
    }

    @Benchmark
    public DiscoveryMessage decodeAnnounce() throws ProtocolException {
        return codec.decode(datagram, 0, datagram.length);
    }
}
