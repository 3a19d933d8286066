package org.cam.broker.relay;

import io.vertx.core.Future;
import io.vertx.core.net.NetClient;
import java.time.Duration;
import org.cam.broker.management.Claim;
import org.cam.broker.session.EndReason;
import org.cam.protocol.ProtocolException;

/** What a {@link RelaySession} needs from the broker around it (claims, bookkeeping, settings). */
public interface SessionHost {

    /** Offline ticket check; returns the ticket's claims (the session id to claim, when it was issued). */
    org.cam.protocol.ticket.Ticket verifyTicket(String token) throws ProtocolException;

    /** Completes on the caller's context. {@code ticketIssuedAt} tells a resume ticket from the session's first. */
    Future<Claim> claim(String sessionId, java.time.Instant ticketIssuedAt, String clientAddress);

    /** Completes on the caller's context. */
    Future<Claim> claimByVncResponse(byte[] challenge, byte[] response, String clientAddress);

    NetClient deviceClient();

    /**
     * For devices reached with VeNCrypt X509: a client that can start TLS on a connection; it accepts any certificate
     * because the handshake checks it (pin or CA) before sending a credential.
     */
    NetClient deviceTlsClient();

    /** CA certificates the broker trusts for every target's VeNCrypt certificate (cam.broker.device-tls.ca-path). */
    java.util.List<java.security.cert.X509Certificate> deviceCas();

    Duration handshakeTimeout();

    int writeQueueMaxBytes();

    int maxCutText();

    void rejected(String reason);

    void started(RelaySession session, Duration handshake);

    /** A claimed session ended; {@code relayed} tells whether it got as far as relaying. */
    void ended(RelaySession session, EndReason reason, boolean relayed);

    /** Reports the end of a claimed session that never got going (the client left during the claim). */
    void reportEnd(RelaySession session, EndReason reason);

    /**
     * Starts recording a claimed session whose device has sent its ServerInit; completes on the caller's context,
     * failed when the recording cannot be written.
     */
    Future<org.cam.broker.recording.SessionRecorder> openRecording(Claim claim, org.cam.protocol.rfb.ServerInit init,
                                                                   byte[] serverInitWire);

    /** Segment timer and keyframe interval of recordings. */
    org.cam.broker.BrokerConfig.Recording recordingConfig();

    void countFromClient(long n);

    void countFromDevice(long n);
}
