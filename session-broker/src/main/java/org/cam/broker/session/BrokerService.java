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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.cam.broker.BrokerConfig;
import org.cam.broker.management.Claim;
import org.cam.broker.management.ClaimRequest;
import org.cam.broker.management.EndReport;
import org.cam.broker.management.Heartbeat;
import org.cam.broker.management.ManagementApi;
import org.cam.broker.management.VncClaimRequest;
import org.cam.broker.metrics.BrokerMetrics;
import org.cam.broker.relay.RelaySession;
import org.cam.broker.relay.SessionHost;
import org.cam.broker.ticket.TicketService;
import org.cam.protocol.ProtocolException;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.logging.Logger;

/**
 * The sessions of this replica: claims and end reports through management-api, idle and maximum time, admin
 * disconnects (heartbeat or DELETE on the admin port), drain. Holds only live connections: nothing another
 * replica would need.
 */
@ApplicationScoped
public class BrokerService implements SessionHost {

    private static final Logger LOG = Logger.getLogger(BrokerService.class);

    private final BrokerConfig config;
    private final Vertx vertx;
    private final BrokerMetrics metrics;
    private final TicketService tickets;
    private final ManagementApi management;
    private final org.cam.broker.recording.RecordingStore recordings;
    private final Map<String, RelaySession> active = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicInteger reportsInFlight =
            new java.util.concurrent.atomic.AtomicInteger();
    private volatile NetClient deviceClient;
    private volatile NetClient deviceTlsClient;
    private volatile java.util.List<java.security.cert.X509Certificate> deviceCas = java.util.List.of();
    private volatile boolean draining;
    private volatile long lastHeartbeatOkNanos = Long.MIN_VALUE;
    private long scanTimer = -1;
    private long heartbeatTimer = -1;

    public BrokerService(BrokerConfig config, Vertx vertx, BrokerMetrics metrics, TicketService tickets,
                         @RestClient ManagementApi management, org.cam.broker.recording.RecordingStore recordings) {
        this.recordings = recordings;
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
                deviceCas = org.cam.protocol.rfb.DeviceTls.certificates(java.nio.file.Files.readString(
                        java.nio.file.Path.of(config.deviceTls().caPath().get())));
            } catch (Exception ex) {
                throw new IllegalStateException("cam.broker.device-tls.ca-path: " + ex.getMessage(), ex);
            }
        }
        metrics.activeSessions(active::size);
        scanTimer = vertx.setPeriodic(500, id -> scanTimeouts());
        heartbeatTimer = vertx.setPeriodic(100, config.management().heartbeatInterval().toMillis(),
                id -> heartbeat());
    }

    // ---- SessionHost ------------------------------------------------------------------------------------------

    @Override
    public org.cam.protocol.ticket.Ticket verifyTicket(String token) throws ProtocolException {
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
    public java.util.List<java.security.cert.X509Certificate> deviceCas() {
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
        Instant endedAt = Instant.now();
        java.util.concurrent.CompletableFuture<EndReport.RecordingOutcome> recording = s.recordingOutcome();
        if (recording == null) {
            sendEnd(s.sessionId(), new EndReport(config.brokerId(), reason.wire(), s.bytesFromClient(),
                    s.bytesFromDevice(), endedAt, s.claim().leg(), s.askedToResume()), 1);
            return;
        }
        // The report carries the recording's final digest (the SESSION_END audit event keeps it): wait for the writer.
        reportsInFlight.incrementAndGet();
        recording.whenComplete((outcome, t) -> {
            EndReport.RecordingOutcome o = t == null ? outcome
                    : new EndReport.RecordingOutcome(null, 0, 0, 0, false, String.valueOf(t.getMessage()));
            vertx.runOnContext(v -> {
                sendEnd(s.sessionId(), new EndReport(config.brokerId(), reason.wire(), s.bytesFromClient(),
                        s.bytesFromDevice(), endedAt, o, s.claim().leg(), s.askedToResume()), 1);
                reportsInFlight.decrementAndGet();
            });
        });
    }

    @Override
    public Future<org.cam.broker.recording.SessionRecorder> openRecording(Claim c,
            org.cam.protocol.rfb.ServerInit init, byte[] serverInitWire) {
        Context ctx = Vertx.currentContext();
        Promise<org.cam.broker.recording.SessionRecorder> p = Promise.promise();
        org.cam.protocol.recording.Record.Header header = new org.cam.protocol.recording.Record.Header(0,
                // A resumed session's later legs are recorded in files of their own (RecordingIds).
                org.cam.protocol.recording.RecordCodec.VERSION,
                org.cam.protocol.recording.RecordingIds.of(c.sessionId(), c.leg()), c.targetId(), c.user(),
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

    private void sendEnd(String sessionId, EndReport report, int attempt) {
        if (attempt == 1) {
            reportsInFlight.incrementAndGet();
        }
        management.end(sessionId, report).subscribe().with(v -> reportsInFlight.decrementAndGet(), t -> {
            if (attempt < 5 && !draining) {
                vertx.setTimer(1000L << attempt, id -> sendEnd(sessionId, report, attempt + 1));
            } else if (attempt < 3) {
                // Draining: the process is about to exit, retry at once (twice) rather than after a backoff.
                sendEnd(sessionId, report, attempt + 1);
            } else {
                reportsInFlight.decrementAndGet();
                LOG.warnf("session %s: end report lost after %d attempts: %s", sessionId, attempt, t.getMessage());
            }
        });
    }

    @Override
    public void countFromClient(long n) {
        metrics.bytesFromClient(n);
    }

    @Override
    public void countFromDevice(long n) {
        metrics.bytesFromDevice(n);
    }

    // ---- timeouts, admin disconnect, heartbeat -------------------------------------------------------------------

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

    // ---- drain ----------------------------------------------------------------------------------------------------

    /**
     * Stops taking sessions (the listeners stop on the same signal); asks every browser console whose session may
     * resume to do so through another replica at once (their legs end with broker_drained, the sessions go on); lets
     * the others (stock VNC clients, whose password was single use) continue up to the grace, then ends them with
     * reason broker_drained. Blocks the shutdown thread, which is what makes Quarkus wait (quarkus.shutdown.timeout
     * must be longer than the grace).
     */
    public void drain() {
        if (draining) {
            return;
        }
        draining = true;
        long deadline = System.nanoTime() + config.drainGrace().toNanos();
        heartbeat();
        LOG.infof("draining: %d active sessions; browser consoles resume elsewhere after %s, grace %s for the rest",
                active.size(), config.drainResumeAfter(), config.drainGrace());
        // Readiness is down from now on: once the Service or proxy has seen it, a console that reconnects goes to a
        // replica that stays, not back here.
        waitFor(Math.min(config.drainResumeAfter().toMillis(), config.drainGrace().toMillis()));
        int resuming = 0;
        for (RelaySession s : activeSessions()) {
            if (s.resumeElsewhere(EndReason.BROKER_DRAINED)) {
                resuming++;
            }
        }
        LOG.infof("draining: %d browser consoles asked to resume elsewhere", resuming);
        while (!active.isEmpty() && System.nanoTime() < deadline) {
            waitFor(Math.min(200, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1));
        }
        for (RelaySession s : activeSessions()) {
            s.endAsync(EndReason.BROKER_DRAINED);
        }
        long endDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!active.isEmpty() && System.nanoTime() < endDeadline) {
            waitFor(50);
        }
        // Every end is reported: wait for the reports in flight before the REST client goes away (bounded).
        long reportDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (reportsInFlight.get() > 0 && System.nanoTime() < reportDeadline) {
            waitFor(50);
        }
        LOG.infof("drained; %d end reports still unanswered", reportsInFlight.get());
    }

    private static void waitFor(long millis) {
        CountDownLatch never = new CountDownLatch(1);
        try {
            never.await(millis, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    void onStop(@Observes @Priority(1) ShutdownEvent e) {
        drain();
        if (scanTimer >= 0) {
            vertx.cancelTimer(scanTimer);
        }
        if (heartbeatTimer >= 0) {
            vertx.cancelTimer(heartbeatTimer);
        }
    }
}
