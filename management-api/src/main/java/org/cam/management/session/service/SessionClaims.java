package org.cam.management.session.service;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.cam.management.common.RowLock;
import jakarta.transaction.Transactional;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.common.SecretBox;
import org.cam.management.config.ManagementConfig;
import org.cam.management.device.Device;
import org.cam.management.device.DeviceChannel;
import org.cam.management.session.KvmSession;
import org.cam.management.session.SessionState;
import org.cam.management.target.Target;
import org.cam.management.target.TargetKind;
import org.cam.protocol.rfb.VncAuth;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The brokers' side of a session (docs/protocols/broker-api.md): claims (atomic PENDING -> ACTIVE, by session id or by
 * a VNC client's response), end reports, and heartbeats, which return the sessions an operator disconnected and end
 * the ones their broker no longer carries.
 */
@ApplicationScoped
public class SessionClaims {
    private static final Logger LOG = Logger.getLogger(SessionClaims.class);

    /**
     * The target's RFB endpoint and how to authenticate: auth NONE, VNC (password) or PLAIN (username and password,
     * VeNCrypt Plain); tlsFingerprint / tlsCaPem: how to trust the server's certificate under VeNCrypt X509.
     */
    public record DeviceEndpoint(String host, int port, String auth, String username, String password,
                                 String tlsFingerprint, String tlsCaPem) {
        @Override
        public String toString() {
            return "DeviceEndpoint[" + host + ":" + port + ", auth=" + auth + "]"; // never log the password
        }
    }

    /**
     * @param maxDurationSeconds what is left of the session's maximum duration (a resumed leg does not start it anew)
     * @param leg                which leg of the session this claim opened (1 for the first); the broker's end report
     *                           names it
     * @param resumable          whether the broker may ask a browser console to resume the session on another broker
     *                           when it drains: always, from this version on (a broker talking to an older
     *                           management-api, which does not send it, keeps its sessions through the drain grace)
     */
    public record Claimed(String sessionId, String user, String targetId, String mode, DeviceEndpoint device,
                          int idleTimeoutSeconds, int maxDurationSeconds, String clipboard, int leg,
                          boolean resumable) {
        public Claimed withDevice(DeviceEndpoint d) {
            return new Claimed(sessionId, user, targetId, mode, d, idleTimeoutSeconds, maxDurationSeconds, clipboard,
                    leg, resumable);
        }
    }

    /**
     * @param leg       the leg the report is about (0 or null: the session's current one, as brokers without legs send)
     * @param resumable the broker drained and asked the console to resume: the session waits for its next leg
     */
    public record EndReport(String brokerId, String reason, Long bytesFromClient, Long bytesFromDevice,
                            Instant endedAt, org.cam.management.recording.RecordingOutcome recording, Integer leg,
                            boolean resumable) {
        public EndReport(String brokerId, String reason, Long bytesFromClient, Long bytesFromDevice,
                         Instant endedAt) {
            this(brokerId, reason, bytesFromClient, bytesFromDevice, endedAt, null, null, false);
        }
    }

    /** The heartbeat's answer: sessions to end because an operator disconnected them, or because they moved on. */
    public record HeartbeatAnswer(List<String> terminate, List<String> superseded) {
    }

    @Inject
    ManagementConfig config;

    @Inject
    SecretBox secrets;

    @Inject
    AuditService audit;

    @Inject
    EntityManager em;

    @Inject
    VncGuessLimiter guesses;

    @Inject
    MeterRegistry meters;

    @Inject
    SessionEnds ends;

    @Inject
    SessionLegs legs;

    @Inject
    org.cam.management.recording.service.RecordingReports recordingReports;

    /** Decrypted one-time passwords of PENDING sessions, by session id (see candidatePasswords). */
    private final Map<String, CachedPassword> passwords = new ConcurrentHashMap<>();

    /** Claim by session id: exactly one caller wins across all brokers (one conditional UPDATE). */
    @Transactional
    public Claimed claim(String sessionId, String brokerId, String clientAddress, String actor) {
        return claim(sessionId, brokerId, clientAddress, null, actor);
    }

    /**
     * Claim by session id: the first leg of a PENDING session, or the next leg of a session its owner asked to resume
     * ({@link SessionResumes}), with a ticket issued at or after that request ({@code ticketIssuedAt}, from the
     * verified ticket), so neither the first ticket nor a resume ticket claims twice. Exactly one caller wins across
     * all brokers (one conditional UPDATE each).
     */
    @Transactional
    public Claimed claim(String sessionId, String brokerId, String clientAddress, Instant ticketIssuedAt,
                         String actor) {
        Instant now = Instant.now();
        int won = em.createQuery("update KvmSession s set s.state = :active, s.brokerId = :broker,"
                        + " s.clientAddress = :client, s.claimedAt = :now, s.legs = 1"
                        + " where s.id = :id and s.state = :pending and s.expiresAt > :now")
                .setParameter("active", SessionState.ACTIVE).setParameter("broker", brokerId)
                .setParameter("client", clientAddress).setParameter("now", now).setParameter("id", sessionId)
                .setParameter("pending", SessionState.PENDING).executeUpdate();
        boolean resumed = false;
        String from = null;
        if (won != 1 && ticketIssuedAt != null) {
            KvmSession before = KvmSession.findById(sessionId);
            from = before == null ? null : before.brokerId;
            won = em.createQuery("update KvmSession s set s.state = :active, s.brokerId = :broker,"
                            + " s.clientAddress = :client, s.legs = s.legs + 1, s.resumeRequestedAt = null,"
                            + " s.resumeUntil = null"
                            + " where s.id = :id and s.terminateBy is null and s.resumeRequestedAt is not null"
                            + " and s.resumeRequestedAt <= :issued"
                            + " and (s.state = :active or (s.state = :resuming and s.resumeUntil > :now))")
                    .setParameter("active", SessionState.ACTIVE).setParameter("broker", brokerId)
                    .setParameter("client", clientAddress).setParameter("id", sessionId)
                    .setParameter("issued", ticketIssuedAt).setParameter("resuming", SessionState.RESUMING)
                    .setParameter("now", now).executeUpdate();
            resumed = won == 1;
        }
        if (won != 1) {
            audit.recordNow(actor, "SESSION_CLAIM", "session", sessionId, AuditService.FAILURE, clientAddress,
                    "broker=" + brokerId + ": not claimable (unknown, claimed, ended or expired)");
            throw ApiException.conflict("sessionId", "session " + sessionId
                    + " is not claimable (unknown, already claimed, ended or expired)");
        }
        KvmSession s = KvmSession.findById(sessionId);
        em.refresh(s);
        legs.opened(s, brokerId, clientAddress, now);
        audit.record(actor, "SESSION_CLAIM", "session", s.id, AuditService.SUCCESS, clientAddress,
                "broker=" + brokerId + " user=" + s.username + " target=" + s.targetId + " mode=" + s.mode
                        + " leg=" + s.legs + (resumed ? " (resumed from " + from + ")" : ""));
        return claimed(s, now);
    }

    /**
     * Claim by VNC challenge/response: every live PENDING session's password is tried (no early exit, so the time
     * does not tell which failed), the match is claimed as above. The response names no session (RFB's VNC
     * Authentication carries nothing but the 16 bytes), so there is nothing to narrow the candidates by; what a guess
     * costs is kept down instead: the address's guesses are counted in the database before anything else
     * ({@link VncGuessLimiter}), a throttled guess reads no session and writes no audit row (it is counted in
     * {@code cam_sessions_vnc_claims_total{outcome="throttled"}}), and passwords already decrypted are kept for the
     * life of their PENDING session ({@link #candidatePasswords}).
     */
    @Transactional
    public Claimed claimByVnc(byte[] challenge, byte[] response, String brokerId, String clientAddress,
                              String actor) {
        VncGuessLimiter.Attempt attempt = guesses.begin(clientAddress);
        if (attempt.throttled()) {
            meters.counter("cam.sessions.vnc.claims", "outcome", "throttled").increment();
            throw ApiException.tooManyRequests("response", "too many failed attempts from " + clientAddress
                    + "; wait a minute", guesses.retryAfterSeconds());
        }
        String match = null;
        for (Map.Entry<String, String> c : candidatePasswords().entrySet()) {
            boolean ok = VncAuth.verify(challenge, response, c.getValue());
            if (ok && match == null) {
                match = c.getKey();
            }
        }
        if (match == null) {
            boolean nowThrottled = guesses.failed(attempt);
            meters.counter("cam.sessions.vnc.claims", "outcome", "failed").increment();
            audit.recordNow(actor, "SESSION_CLAIM", "session", null, AuditService.FAILURE, clientAddress,
                    "broker=" + brokerId + ": no pending session answers the VNC response"
                            + (nowThrottled ? "; further attempts from this address are refused for a minute" : ""));
            throw ApiException.conflict("response", "no pending session answers this VNC response");
        }
        guesses.succeeded(attempt);
        passwords.remove(match);
        meters.counter("cam.sessions.vnc.claims", "outcome", "claimed").increment();
        return claim(match, brokerId, clientAddress, actor);
    }

    /**
     * One-time passwords of the live PENDING sessions by session id. A password is decrypted once and kept while its
     * session is PENDING (at most the ticket lifetime): a guess then costs one indexed read of ids and ciphertexts,
     * not an AES-GCM decryption per candidate. What is kept is exactly what a successful claim would reveal anyway.
     */
    private Map<String, String> candidatePasswords() {
        List<Object[]> rows = em.createQuery("select s.id, s.vncPasswordEnc from KvmSession s"
                        + " where s.state = :pending and s.expiresAt > :now", Object[].class)
                .setParameter("pending", SessionState.PENDING).setParameter("now", Instant.now()).getResultList();
        Map<String, String> live = new java.util.HashMap<>(rows.size() * 2);
        for (Object[] r : rows) {
            String id = (String) r[0];
            String enc = (String) r[1];
            CachedPassword c = passwords.get(id);
            if (c == null || !c.ciphertext().equals(enc)) {
                try {
                    c = new CachedPassword(enc, secrets.decrypt(enc, KvmSession.passwordContext(id)));
                } catch (IllegalStateException e) {
                    // Not sealed for this row (copied from another, or unbound): no candidate, whatever it says.
                    LOG.warnf("the one-time password of session %s does not decrypt in its row: not a candidate", id);
                    continue;
                }
                passwords.put(id, c);
            }
            live.put(id, c.password());
        }
        passwords.keySet().retainAll(live.keySet());
        return live;
    }

    private record CachedPassword(String ciphertext, String password) {
    }

    private Claimed claimed(KvmSession s, Instant now) {
        Target t = Target.findById(s.targetId);
        DeviceEndpoint endpoint;
        if (t.kind == TargetKind.DEVICE_CHANNEL && t.deviceId != null) {
            Device d = Device.findById(t.deviceId);
            DeviceChannel c = DeviceChannel.<DeviceChannel>find("deviceId = ?1 and channel = ?2", d.id, t.channel)
                    .firstResult();
            String cred = null;
            boolean sealed = c != null && c.credentialEnc != null;
            if (sealed) {
                try {
                    cred = secrets.decrypt(c.credentialEnc, c.credentialContext());
                } catch (IllegalStateException e) {
                    // Only a device without session credentials would need it (ChannelCredentials ends that session).
                    LOG.warnf("the channel credential of %s channel %d does not decrypt in its row", d.label(),
                            t.channel);
                }
            }
            endpoint = new DeviceEndpoint(d.address, d.kvmPortFirst + t.channel - 1, sealed ? "VNC" : "NONE",
                    null, cred, null, null);
        } else {
            String cred;
            try {
                cred = secrets.decrypt(t.credentialEnc, t.credentialContext());
            } catch (IllegalStateException e) {
                // planted from another row, or under another key: nothing to connect with
                LOG.errorf("the credential of target %d does not decrypt in its row: %s", t.id, e.getMessage());
                throw ApiException.conflict("credential", "the target's stored credential cannot be used; an admin "
                        + "must set it again");
            }
            String auth = cred == null ? "NONE" : t.credentialUsername != null ? "PLAIN" : "VNC";
            endpoint = new DeviceEndpoint(t.host, t.port, auth, t.credentialUsername, cred, t.tlsFingerprint,
                    t.tlsCaPem);
        }
        int max = config.sessions().maxDurationSeconds();
        if (max > 0 && s.legs > 1) {
            // A resumed leg carries on the session's clock, it does not start it anew.
            max = (int) Math.max(1, max - java.time.Duration.between(s.claimedAt, now).toSeconds());
        }
        return new Claimed(s.id, s.username, String.valueOf(s.targetId), s.mode.name(), endpoint,
                config.sessions().idleTimeoutSeconds(), max, s.clipboard.name(), s.legs, true);
    }

    /** Ends a claimed session that cannot go on (its device refused what it needs), with the reason and why. */
    @Transactional
    public void endUnusable(String sessionId, String reason, String actor, String detail) {
        RowLock.lock(em, "kvm_session", "id", sessionId);
        KvmSession s = KvmSession.findById(sessionId);
        if (s == null || s.state == SessionState.ENDED) {
            return;
        }
        ends.end(s, reason, Instant.now());
        audit.record(actor, "SESSION_END", "session", s.id, AuditService.FAILURE, null, reason + ": " + detail);
    }

    /**
     * End report: idempotent; a report for an ENDED session is accepted (its leg's bytes are kept). A report about a
     * leg the session has moved on from ends that leg only; a resumable report (the broker drained and asked the
     * console to resume) leaves the session RESUMING for {@code sessions.resume-window}.
     */
    @Transactional
    public void endReport(String sessionId, EndReport r, String actor) {
        RowLock.lock(em, "kvm_session", "id", sessionId);
        KvmSession s = KvmSession.findById(sessionId);
        if (s == null) {
            throw ApiException.notFound("session", sessionId);
        }
        Instant at = r.endedAt() == null ? Instant.now() : r.endedAt();
        int leg = r.leg() == null || r.leg() == 0 ? s.legs : r.leg();
        String reason = r.reason();
        if (s.terminateBy != null && "admin_disconnect".equals(reason)) {
            reason = "admin_disconnect: disconnected by " + s.terminateBy;
        }
        if (s.legs > 0) {
            legs.reported(s, leg, reason, r.bytesFromClient(), r.bytesFromDevice(), at);
        } else {
            s.bytesFromClient = r.bytesFromClient();
            s.bytesFromDevice = r.bytesFromDevice();
        }
        if (s.state == SessionState.ENDED) {
            return;
        }
        // The recording's digest goes into the audit trail: what playback verifies the file against later. Each leg
        // of a resumed session has a recording of its own.
        String recording = r.recording() == null ? "" : recordingReports.ended(s, leg, legStart(s, leg), at, r.recording());
        String moved = "broker=" + r.brokerId() + " leg=" + leg + " reason=" + reason + " bytesFromClient="
                + r.bytesFromClient() + " bytesFromDevice=" + r.bytesFromDevice() + recording;
        if (leg != s.legs) {
            audit.record(actor, "SESSION_LEG_END", "session", s.id, AuditService.SUCCESS, null,
                    moved + " (the session is on leg " + s.legs + ")");
            return;
        }
        if (r.resumable() && s.state == SessionState.ACTIVE && s.terminateBy == null) {
            s.state = SessionState.RESUMING;
            s.resumeUntil = Instant.now().plus(config.sessions().resumeWindow());
            audit.record(actor, "SESSION_LEG_END", "session", s.id, AuditService.SUCCESS, null,
                    moved + " (the console was asked to resume it by " + s.resumeUntil + ")");
            return;
        }
        if (s.brokerId == null) {
            s.brokerId = r.brokerId();
        }
        ends.end(s, reason, at);
        audit.record(actor, "SESSION_END", "session", s.id, AuditService.SUCCESS, null, moved);
    }

    /**
     * Heartbeat: records the broker, returns the sessions an admin disconnected and those whose owner resumed them
     * elsewhere (the broker still carries an old leg), ends the ones it lost.
     */
    @Transactional
    public HeartbeatAnswer heartbeat(String brokerId, Collection<String> activeIds, boolean draining, String actor) {
        Instant now = Instant.now();
        em.createNativeQuery("INSERT INTO broker_instance (broker_id, last_heartbeat, draining) VALUES (?1, ?2, ?3)"
                        + " ON DUPLICATE KEY UPDATE last_heartbeat = VALUES(last_heartbeat), draining = VALUES(draining)")
                .setParameter(1, brokerId).setParameter(2, now).setParameter(3, draining).executeUpdate();
        List<KvmSession> mine = KvmSession.list("brokerId = ?1 and state = ?2", brokerId, SessionState.ACTIVE);
        List<String> terminate = new ArrayList<>();
        Instant lostBefore = now.minus(config.sessions().brokerLostAfter());
        for (KvmSession s : mine) {
            if (s.terminateBy != null) {
                terminate.add(s.id);
            } else if (!activeIds.contains(s.id) && s.claimedAt != null && s.claimedAt.isBefore(lostBefore)
                    && legClaimedBefore(s, lostBefore)) {
                ends.end(s, "broker_lost", now);
                audit.record(actor, "SESSION_END", "session", s.id, AuditService.FAILURE, null,
                        "broker " + brokerId + " no longer reports it: broker_lost");
            }
        }
        List<String> superseded = new ArrayList<>();
        if (!activeIds.isEmpty()) {
            List<String> carried = mine.stream().map(s -> s.id).toList();
            List<String> listed = activeIds.stream().filter(id -> !carried.contains(id)).toList();
            if (!listed.isEmpty()) {
                // Listed by this broker but carried by another (resumed there) or over: its old leg must go.
                superseded.addAll(em.createQuery("select s.id from KvmSession s where s.id in :ids"
                                + " and s.legs > 1 and (s.brokerId <> :broker or s.state = :ended)", String.class)
                        .setParameter("ids", listed).setParameter("broker", brokerId)
                        .setParameter("ended", SessionState.ENDED).getResultList());
            }
        }
        return new HeartbeatAnswer(terminate, superseded);
    }

    private static Instant legStart(KvmSession s, int leg) {
        org.cam.management.session.SessionLeg l = s.legs > 0 ? org.cam.management.session.SessionLeg.of(s.id, leg)
                : null;
        return l != null ? l.claimedAt : s.claimedAt;
    }

    /** Whether the session's current leg was claimed before {@code t} (a resumed leg is as new as its claim). */
    private static boolean legClaimedBefore(KvmSession s, Instant t) {
        if (s.legs <= 1) {
            return true;
        }
        org.cam.management.session.SessionLeg leg = org.cam.management.session.SessionLeg.of(s.id, s.legs);
        return leg == null || leg.claimedAt.isBefore(t);
    }
}
