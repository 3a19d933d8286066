package org.cam.broker.session;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.cam.broker.BrokerConfig;
import org.cam.broker.management.Claim;
import org.cam.broker.management.ClaimRequest;
import org.cam.broker.management.Heartbeat;
import org.cam.broker.management.ManagementApi;
import org.cam.broker.management.VncClaimRequest;
import org.cam.broker.metrics.BrokerMetrics;
import org.cam.broker.recording.RecordingStore;
import org.cam.broker.recording.SessionRecorder;
import org.cam.broker.relay.RelaySession;
import org.cam.broker.relay.SessionHost;
import org.cam.broker.ticket.TicketService;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.recording.Record;
import org.cam.protocol.recording.RecordCodec;
import org.cam.protocol.recording.RecordingIds;
import org.cam.protocol.rfb.DeviceTls;
import org.cam.protocol.rfb.ServerInit;
import org.cam.protocol.ticket.Ticket;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * The sessions of this replica, as their host: claims through management-api, device clients, recordings, idle and
 * maximum time, admin disconnects (heartbeat or DELETE on the admin port) and the heartbeat itself. End reports are
 * {@link EndReports}', the drain {@link BrokerDrain}'s. Holds only live connections: nothing another replica would
 * need.
 */
@ApplicationScoped
public class BrokerService implements SessionHost {

    private static final Logger LOG = Logger.getLogger(BrokerService.class);

    private final BrokerConfig config;
    private final Vertx vertx;
    private final BrokerMetrics metrics;
    private final TicketService tickets;
    private final ManagementApi management;
    private final RecordingStore recordings;
    private final EndReports reports;
    private final Map<String, RelaySession> active = new ConcurrentHashMap<>();
    private volatile NetClient deviceClient;
    private volatile NetClient deviceTlsClient;
    private volatile List<X509Certificate> deviceCas = List.of();
    private volatile boolean draining;
    private volatile long lastHeartbeatOkNanos = Long.MIN_VALUE;
    private long scanTimer = -1;
    private long heartbeatTimer = -1;

    public BrokerService(BrokerConfig config, Vertx vertx, BrokerMetrics metrics, TicketService tickets,
                         @RestClient ManagementApi management, RecordingStore recordings, EndReports reports) {
        this.recordings = recordings;
        this.reports = reports;
        this.config = config;
        this.vertx = vertx;
        this.metrics = metrics;
        this.tickets = tickets;
        this.management = management;
    }

    void onStart(@Observes StartupEvent e) {
        NetClientOptions deviceOptions = new NetClientOptions()
                .setConnectTimeout((int) config.relay().deviceConnectTimeout().toMillis())
                .setTcpNoDelay(true).setTcpKeepAlive(true);
        deviceClient = vertx.createNetClient(deviceOptions);
        // Trust-all only at the TLS layer: DeviceHandshake checks the certificate against the target's pin or CA
        // right after the TLS handshake, before any credential is sent (see DeviceTls).
        deviceTlsClient = vertx.createNetClient(new NetClientOptions(deviceOptions).setTrustAll(true)
                .setHostnameVerificationAlgorithm(""));
        if (config.deviceTls().caPath().isPresent()) {
            try {
                deviceCas = DeviceTls.certificates(Files.readString(
                        Path.of(config.deviceTls().caPath().get())));
            } catch (Exception ex) {
                throw new IllegalStateException("cam.broker.device-tls.ca-path: " + ex.getMessage(), ex);
            }
        }
        metrics.activeSessions(active::size);
        scanTimer = vertx.setPeriodic(500, id -> scanTimeouts());
        heartbeatTimer = vertx.setPeriodic(100, config.management().heartbeatInterval().toMillis(),
                id -> heartbeat());
    }

    @Override
    public Ticket verifyTicket(String token) throws ProtocolException {
        return tickets.verify(token);
    }

    @Override
    public Future<Claim> claim(String sessionId, Instant ticketIssuedAt, String clientAddress) {
        return onCaller(management.claim(sessionId, new ClaimRequest(config.brokerId(), clientAddress,
                ticketIssuedAt)));
    }

    @Override
    public Future<Claim> claimByVncResponse(byte[] challenge, byte[] response, String clientAddress) {
        Base64.Encoder b64 = Base64.getEncoder();
        return onCaller(management.claimByVncResponse(new VncClaimRequest(config.brokerId(), clientAddress,
                b64.encodeToString(challenge), b64.encodeToString(response))));
    }

    /** Mutiny completes on the HTTP client's thread; a session's state lives on its own context. */
    private static <T> Future<T> onCaller(Uni<T> uni) {
        Context ctx = Vertx.currentContext();
        Promise<T> p = Promise.promise();
        uni.subscribe().with(v -> ctx.runOnContext(x -> p.tryComplete(v)),
                t -> ctx.runOnContext(x -> p.tryFail(t)));
        return p.future().map(c -> {
            if (c instanceof Claim cl) {
                validate(cl);
            }
            return c;
        });
    }

    private static void validate(Claim c) {
        if (c.sessionId() == null || c.mode() == null || c.device() == null) {
            throw new IllegalStateException("claim response lacks sessionId, mode or device");
        }
    }

    @Override
    public NetClient deviceClient() {
        return deviceClient;
    }

    @Override
    public NetClient deviceTlsClient() {
        return deviceTlsClient;
    }

    @Override
    public List<X509Certificate> deviceCas() {
        return deviceCas;
    }

    @Override
    public Duration handshakeTimeout() {
        return config.relay().handshakeTimeout();
    }

    @Override
    public int writeQueueMaxBytes() {
        return config.relay().writeQueueMaxBytes();
    }

    @Override
    public int maxCutText() {
        return config.relay().maxCutText();
    }

    @Override
    public void rejected(String reason) {
        metrics.reject(reason);
    }

    @Override
    public void started(RelaySession s, Duration handshake) {
        RelaySession previous = active.put(s.sessionId(), s);
        if (previous != null && previous != s) {
            // The owner resumed the session here while this replica still carried its older leg (management-api
            // claims each leg once): keep the newer, end the older.
            previous.endAsync(previous.claim().leg() != s.claim().leg() ? EndReason.RESUMED_ELSEWHERE
                    : EndReason.ADMIN_DISCONNECT);
        }
        metrics.started(s.client().listener());
        metrics.handshake(handshake);
        LOG.infof("session %s started: user %s, target %s, mode %s, client %s via %s", s.sessionId(),
                s.claim().user(), s.claim().targetId(), s.claim().mode(), s.client().remoteAddress(),
                s.client().listener());
    }

    @Override
    public void ended(RelaySession s, EndReason reason, boolean relayed) {
        active.remove(s.sessionId(), s);
        metrics.ended(reason.wire());
        LOG.infof("session %s ended: %s (client %d bytes, device %d bytes; dropped by policy: %d client messages,"
                        + " %d device messages)",
                s.sessionId(), reason.wire(), s.bytesFromClient(), s.bytesFromDevice(), s.droppedInputs(),
                s.droppedFromDevice());
        reportEnd(s, reason);
    }

    @Override
    public void reportEnd(RelaySession s, EndReason reason) {
        reports.report(s, reason);
    }

    @Override
    public Future<SessionRecorder> openRecording(Claim c,
            ServerInit init, byte[] serverInitWire) {
        Context ctx = Vertx.currentContext();
        Promise<SessionRecorder> p = Promise.promise();
        Record.Header header = new Record.Header(0,
                // A resumed session's later legs are recorded in files of their own (RecordingIds).
                RecordCodec.VERSION,
                RecordingIds.of(c.sessionId(), c.leg()), c.targetId(), c.user(),
                c.mode().name(), System.currentTimeMillis(), init.width(), init.height(), init.pixelFormat(),
                serverInitWire);
        recordings.openAsync(header, System.nanoTime()).whenComplete((r, t) -> ctx.runOnContext(v -> {
            if (t != null) {
                p.fail(t.getCause() != null ? t.getCause() : t);
            } else {
                p.complete(r);
            }
        }));
        return p.future();
    }

    @Override
    public BrokerConfig.Recording recordingConfig() {
        return config.recording();
    }

    @Override
    public void countFromClient(long n) {
        metrics.bytesFromClient(n);
    }

    @Override
    public void countFromDevice(long n) {
        metrics.bytesFromDevice(n);
    }

    private void scanTimeouts() {
        long now = System.nanoTime();
        for (RelaySession s : active.values()) {
            Claim c = s.claim();
            Duration idle = c.idleTimeoutSeconds() > 0 ? Duration.ofSeconds(c.idleTimeoutSeconds())
                    : config.relay().defaultIdleTimeout();
            Duration max = c.maxDurationSeconds() > 0 ? Duration.ofSeconds(c.maxDurationSeconds())
                    : config.relay().defaultMaxDuration();
            if (now - s.relayStartNanos() >= max.toNanos()) {
                s.endAsync(EndReason.MAX_DURATION);
            } else if (now - s.lastInputNanos() >= idle.toNanos()) {
                s.endAsync(EndReason.IDLE_TIMEOUT);
            }
        }
    }

    /** Admin disconnect; false when this replica has no such session. */
    public boolean disconnect(String sessionId) {
        RelaySession s = active.get(sessionId);
        if (s == null) {
            return false;
        }
        s.endAsync(EndReason.ADMIN_DISCONNECT);
        return true;
    }

    private void heartbeat() {
        Heartbeat hb = new Heartbeat(List.copyOf(active.keySet()), draining);
        management.heartbeat(config.brokerId(), hb).subscribe().with(r -> {
            lastHeartbeatOkNanos = System.nanoTime();
            if (r != null && r.terminate() != null) {
                r.terminate().forEach(this::disconnect);
            }
            if (r != null && r.superseded() != null) {
                r.superseded().forEach(id -> {
                    RelaySession s = active.get(id);
                    if (s != null) {
                        s.endAsync(EndReason.RESUMED_ELSEWHERE);
                    }
                });
            }
        }, t -> LOG.debugf("heartbeat failed: %s", t.getMessage()));
    }

    public boolean managementAnswers() {
        return lastHeartbeatOkNanos != Long.MIN_VALUE
                && System.nanoTime() - lastHeartbeatOkNanos < config.management().readyWithin().toNanos();
    }

    public int activeCount() {
        return active.size();
    }

    public List<RelaySession> activeSessions() {
        return new ArrayList<>(active.values());
    }

    public boolean draining() {
        return draining;
    }

    /**
     * Stops taking sessions (the listeners and readiness read {@link #draining}) and tells management-api at once
     * with a heartbeat. False when already draining.
     */
    synchronized boolean stopTakingSessions() {
        if (draining) {
            return false;
        }
        draining = true;
        heartbeat();
        return true;
    }

    void onStop(@Observes @Priority(2) ShutdownEvent e) {
        // After BrokerDrain (priority 1): the drain needed the heartbeat until the end.
        if (scanTimer >= 0) {
            vertx.cancelTimer(scanTimer);
        }
        if (heartbeatTimer >= 0) {
            vertx.cancelTimer(heartbeatTimer);
        }
    }
}
