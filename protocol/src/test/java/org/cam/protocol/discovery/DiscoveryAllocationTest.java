package org.cam.protocol.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import org.cam.protocol.ProtocolException;
import org.junit.jupiter.api.Test;

/**
 * Decoding allocates the decoded values and nothing sized by a length field: a full-size datagram whose bulk is an
 * unknown TLV (skipped) costs no more than a small one. Measured with the JVM's per-thread allocation counter (an
 * upper bound: escape analysis can only lower it).
 */
class DiscoveryAllocationTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    @Test
    void decodeAllocationDoesNotGrowWithSkippedBytes() throws ProtocolException {
        DiscoveryCodec codec = DiscoveryCodec.signed(DiscoveryFixtures.KEY);
        DiscoveryCodec plain = DiscoveryCodec.unsigned();
        byte[] small = codec.encode(DiscoveryFixtures.sampleAnnounce());
        // Same message padded to the 1,400-byte limit with an unknown TLV; re-signed by hand.
        byte[] body = DiscoveryCodecTest.concat(java.util.Arrays.copyOf(small, small.length - 32),
                DiscoveryCodecTest.tlv(0x7F, new byte[1400 - small.length - 3]));
        byte[] big = DiscoveryCodecTest.concat(body, new byte[32]);
        DiscoveryFixtures.KEY.sign(big, 0, body.length, big, body.length);
        assertThat(big.length).isEqualTo(DiscoveryCodec.MAX_DATAGRAM_SIZE);
        assertThat(codec.decode(big)).isEqualTo(DiscoveryFixtures.sampleAnnounce());

        long perSmall = bytesPerDecode(codec, small);
        long perBig = bytesPerDecode(codec, big);
        long perBigUnchecked = bytesPerDecode(plain, big);
        System.out.printf("discovery decode allocation: %d B for %d-byte datagram, %d B for %d bytes (keyless %d B)%n",
                perSmall, small.length, perBig, big.length, perBigUnchecked);
        assertThat(perBig).isLessThan(perSmall + 64).isLessThan(DiscoveryCodec.MAX_DATAGRAM_SIZE);
        assertThat(perBigUnchecked).isLessThan(DiscoveryCodec.MAX_DATAGRAM_SIZE);
    }

    private static long bytesPerDecode(DiscoveryCodec codec, byte[] datagram) throws ProtocolException {
        int rounds = 20_000;
        for (int i = 0; i < rounds; i++) {
            codec.decode(datagram); // warm up, so the measurement sees compiled code
        }
        long tid = Thread.currentThread().getId();
        long before = THREADS.getThreadAllocatedBytes(tid);
        for (int i = 0; i < rounds; i++) {
            codec.decode(datagram);
        }
        return (THREADS.getThreadAllocatedBytes(tid) - before) / rounds;
    }
}
