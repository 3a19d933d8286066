package org.cam.broker.support;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cam.protocol.rfb.VncAuth;

/**
 * A test double of management-api's internal broker API (docs/protocols/broker-api.md) on a real HTTP port:
 * PENDING sessions, exactly-once claims (by id and by VNC challenge/response), end reports, heartbeats.
 */
public final class ManagementDouble {

    public static final String TOKEN = "test-service-token";

    /** A session as management-api would hold it. */
    public static final class Session {
        public final String id;
        public final String oneTimePassword;
        public final String mode;
        public final String deviceHost;
        public final int devicePort;
        public final String devicePassword;
        public final long idleTimeoutSeconds;
        public volatile String state = "PENDING";
        public volatile JsonObject endReport;
        public volatile String claimedBy;
        /** The client address the broker's claim named. */
        public volatile String claimedFrom;
        /** What the claim says: the leg it opens, and whether a browser console may resume the session elsewhere. */
        public volatile int leg = 1;
        public volatile boolean resumable;
        /** The verified ticket's issue time the claim named (management-api tells resume tickets by it). */
        public volatile String claimTicketIssuedAt;
        /** The clipboard policy the claim carries (BOTH, TO_TARGET, NONE); null: none given. */
        public volatile String clipboard;
        /** The recording policy the claim carries; null: none (not recorded). */
        public volatile Boolean record;
        public volatile boolean recordFailClosed;
        /** Device auth when not derived from the password: PLAIN (with deviceUsername); TLS trust for VeNCrypt. */
        public volatile String deviceAuth;
        public volatile String deviceUsername;
        public volatile String tlsFingerprint;
        public volatile String tlsCaPem;

        Session(String id, String otp, String mode, String host, int port, String devicePassword, long idle) {
            this.id = id;
            this.oneTimePassword = otp;
            this.mode = mode;
            this.deviceHost = host;
            this.devicePort = port;
            this.devicePassword = devicePassword;
            this.idleTimeoutSeconds = idle;
        }
    }

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    /** PENDING sessions in creation order: claim-by-vnc-response tries them oldest first (fast for benchmarks). */
    private final java.util.Queue<Session> pending = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger claimRequests = new AtomicInteger();
    private final List<String> terminate = new CopyOnWriteArrayList<>();
    private final List<String> superseded = new CopyOnWriteArrayList<>();
    /** Client addresses whose VNC claims are answered 429, as management-api does once an address used its guesses. */
    private final java.util.Set<String> throttled = ConcurrentHashMap.newKeySet();
    private final AtomicInteger heartbeats = new AtomicInteger();
    private volatile JsonObject lastHeartbeat;
    private HttpServer server;

    public int start(Vertx vertx) throws Exception {
        server = vertx.createHttpServer().requestHandler(this::handle);
        return server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)
                .actualPort();
    }

    public Session add(String id, String otp, String mode, String host, int port, String devicePassword, long idle) {
        Session s = new Session(id, otp, mode, host, port, devicePassword, idle);
        sessions.put(id, s);
        pending.add(s);
        return s;
    }

    public Session session(String id) {
        return sessions.get(id);
    }

    /** Claim calls of either kind received so far (what a garbage ticket must not cost). */
    public int claimRequests() {
        return claimRequests.get();
    }

    public int requests() {
        return requests.get();
    }

    /** Sessions whose end report gave this reason. */
    public long endedWith(String reason) {
        return sessions.values().stream().filter(s -> s.endReport != null
                && reason.equals(s.endReport.getString("reason"))).count();
    }

    /** True when every session that asked for a recording has an end report (the benchmark reads the files then). */
    public boolean recordingsReported() {
        return sessions.values().stream().filter(s -> Boolean.TRUE.equals(s.record) && !"PENDING".equals(s.state))
                .allMatch(s -> s.endReport != null);
    }

    /** Device bytes the recorded sessions moved, by their end reports. */
    public long recordedDeviceBytes() {
        return sessions.values().stream().filter(s -> Boolean.TRUE.equals(s.record) && s.endReport != null)
                .mapToLong(s -> s.endReport.getLong("bytesFromDevice", 0L)).sum();
    }

    public JsonObject lastHeartbeat() {
        return lastHeartbeat;
    }

    public int heartbeats() {
        return heartbeats.get();
    }

    /** From now on, VNC claims for this client address are refused with 429 (too many failed attempts). */
    public void throttle(String clientAddress) {
        throttled.add(clientAddress);
    }

    /** The next heartbeat answer tells the broker this session was resumed on another connection. */
    public void supersede(String sessionId) {
        superseded.add(sessionId);
    }

    /** The next heartbeat answer tells the broker to end this session. */
    public void terminate(String sessionId) {
        terminate.add(sessionId);
    }

    private void handle(HttpServerRequest req) {
        requests.incrementAndGet();
        if (!("Bearer " + TOKEN).equals(req.getHeader("Authorization"))) {
            req.response().setStatusCode(401).end();
            return;
        }
        req.body().onSuccess(body -> {
            String path = req.path();
            JsonObject in = body.length() == 0 ? new JsonObject() : body.toJsonObject();
            String[] p = path.split("/");
            // /api/v1/internal/sessions/{id}/claim -> p = ["", api, v1, internal, sessions, id, claim]
            if (path.equals("/api/v1/internal/sessions/claim-by-vnc-response")) {
                claimRequests.incrementAndGet();
                if (throttled.contains(in.getString("clientAddress"))) {
                    req.response().setStatusCode(429).putHeader("Retry-After", "60")
                            .putHeader("Content-Type", "application/problem+json")
                            .end(new JsonObject().put("title", "Too Many Requests").put("status", 429).encode());
                    return;
                }
                byte[] challenge = Base64.getDecoder().decode(in.getString("challenge"));
                byte[] response = Base64.getDecoder().decode(in.getString("response"));
                Session match = null;
                for (java.util.Iterator<Session> it = pending.iterator(); it.hasNext(); ) {
                    Session s = it.next();
                    if (!s.state.equals("PENDING")) {
                        it.remove();
                    } else if (s.oneTimePassword != null
                            && VncAuth.verify(challenge, response, s.oneTimePassword)) {
                        match = s;
                        break;
                    }
                }
                claim(req, match, in);
            } else if (p.length == 7 && p[4].equals("sessions") && p[6].equals("claim")) {
                claimRequests.incrementAndGet();
                claim(req, sessions.get(p[5]), in);
            } else if (p.length == 7 && p[4].equals("sessions") && p[6].equals("end")) {
                Session s = sessions.get(p[5]);
                if (s == null) {
                    req.response().setStatusCode(404).end();
                    return;
                }
                s.endReport = in;
                s.state = "ENDED";
                req.response().setStatusCode(204).end();
            } else if (p.length == 7 && p[4].equals("brokers") && p[6].equals("heartbeat")) {
                heartbeats.incrementAndGet();
                lastHeartbeat = in;
                List<String> t = new ArrayList<>(terminate);
                terminate.removeAll(t);
                List<String> moved = new ArrayList<>(superseded);
                superseded.removeAll(moved);
                req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                        .put("terminate", new JsonArray(t)).put("superseded", new JsonArray(moved)).encode());
            } else {
                req.response().setStatusCode(404).end();
            }
        });
    }

    private void claim(HttpServerRequest req, Session s, JsonObject in) {
        boolean won = false;
        if (s != null) {
            synchronized (s) {
                if (s.state.equals("PENDING")) {
                    s.state = "ACTIVE";
                    s.claimedBy = in.getString("brokerId");
                    s.claimedFrom = in.getString("clientAddress");
                    s.claimTicketIssuedAt = in.getString("ticketIssuedAt");
                    won = true;
                }
            }
        }
        if (!won) {
            req.response().setStatusCode(409).putHeader("Content-Type", "application/problem+json")
                    .end(new JsonObject().put("title", "not claimable").put("status", 409).encode());
            return;
        }
        JsonObject device = new JsonObject().put("host", s.deviceHost).put("port", s.devicePort)
                .put("auth", s.deviceAuth != null ? s.deviceAuth : s.devicePassword == null ? "NONE" : "VNC")
                .put("username", s.deviceUsername).put("password", s.devicePassword)
                .put("tlsFingerprint", s.tlsFingerprint).put("tlsCaPem", s.tlsCaPem);
        req.response().putHeader("Content-Type", "application/json").end(new JsonObject()
                .put("sessionId", s.id).put("user", "ada").put("targetId", "target-" + s.id).put("mode", s.mode)
                .put("device", device).put("idleTimeoutSeconds", s.idleTimeoutSeconds)
                .put("maxDurationSeconds", 0).put("clipboard", s.clipboard).put("leg", s.leg)
                .put("resumable", s.resumable)
                .put("recording", s.record == null ? null
                        : new JsonObject().put("enabled", s.record).put("failClosed", s.recordFailClosed)).encode());
    }
}
