package org.cam.protocol.bench;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.ticket.Ticket;
import org.cam.protocol.ticket.TicketKeys;
import org.cam.protocol.ticket.TicketMode;
import org.cam.protocol.ticket.TicketSigner;
import org.cam.protocol.ticket.TicketVerifier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Ticket issue (Ed25519 sign) and verify: what management-api and every broker connection pay. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TicketBenchmark {

    private TicketSigner signer;
    private TicketVerifier verifier;
    private String token;

    @Setup
    public void setUp() {
        KeyPair keys = TicketKeys.generate();
        signer = new TicketSigner(keys.getPrivate(), "k1", Clock.systemUTC());
        verifier = new TicketVerifier(Map.of("k1", keys.getPublic()), Clock.systemUTC(), Duration.ofSeconds(5));
        // Long-lived so it stays valid for the whole run.
        token = signer.issue("0b6f3c1e-session", "ada", "target-17", TicketMode.CONTROL, "cam-broker",
                Duration.ofHours(1));
    }

    @Benchmark
    public String issue() {
        return signer.issue("0b6f3c1e-session", "ada", "target-17", TicketMode.CONTROL, "cam-broker");
    }

    @Benchmark
    public Ticket verify() throws ProtocolException {
        return verifier.verify(token, "cam-broker");
    }
}
