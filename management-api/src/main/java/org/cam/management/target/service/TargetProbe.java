package org.cam.management.target.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetSocket;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import org.cam.management.common.SecretBox;
import org.cam.management.target.Target;
import org.cam.management.target.TargetKind;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.rfb.DeviceTls;
import org.cam.protocol.rfb.Handshake;
import org.cam.protocol.rfb.RfbVersion;
import org.cam.protocol.rfb.SecurityType;
import org.cam.protocol.rfb.VeNCrypt;
import org.cam.protocol.rfb.VncAuth;
import org.jboss.logging.Logger;

import javax.net.ssl.SSLPeerUnverifiedException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Probes RFB-endpoint targets (device channels have their device's polling): connect and read the 12-byte RFB
 * ProtocolVersion banner the server sends first ("RFB 003.008\n"); a target that refuses, times out or answers
 * something else reads UNAVAILABLE until a later probe succeeds. Non-blocking (Vert.x), with a bound on the probes in
 * flight, so 10,000 endpoints cost a few seconds of one event loop per round. Each replica probes on its own; results
 * are kept in memory (a status, not a record).
 *
 * <p>After the banner the probe goes on to authenticate as the broker would (None, or the target's credential; over
 * VeNCrypt X509 only after the certificate matched the target's pin or CA) and closes at the SecurityResult, before
 * ClientInit, so no desktop is shared and no viewer kicked. That is what keeps CAM off the servers' blacklists:
 * TigerVNC counts every accepted connection against its address and forgets the count only when one authenticates
 * (common/rfb Blacklist::isBlackmarked, cleared in VNCSConnectionST on success), so a probe that closed after the
 * banner got management-api's address, and the broker's when they share one, refused after five rounds. A server that
 * refuses at the security step (TigerVNC's "Too many security failures", offering nothing the target's credential
 * can use, or refusing the credential) reads UNAVAILABLE with its reason, as a session there would fail the same way;
 * a refused credential is not sent again until it changes, so the probe never guesses a password.
 */
@ApplicationScoped
public class TargetProbe {
    private static final Logger LOG = Logger.getLogger(TargetProbe.class);

    @ConfigMapping(prefix = "cam.management.target-probe")
    public interface Config {
        /** Interval between rounds, e.g. 30s; "off" turns probing off (every endpoint then reads as reachable). */
        @WithDefault("30s")
        String every();

        /** Timeout of one probe, connect to SecurityResult. */
        @WithDefault("PT3S")
        Duration timeout();

        /** Probes in flight at once. */
        @WithDefault("128")
        int concurrency();
    }

    private record Endpoint(long id, String host, int port, String credentialEnc, String username,
                            String fingerprint, String caPem) {
        boolean x509() {
            return fingerprint != null || (caPem != null && !caPem.isBlank());
        }
    }

    @Inject
    Config config;

    @Inject
    Vertx vertx;

    @Inject
    EntityManager em;

    @Inject
    SecretBox secrets;

    @Inject
    org.cam.management.access.service.AccessCache cache;

    private final Set<Long> unreachable = ConcurrentHashMap.newKeySet();
    private final Map<Long, String> reasons = new ConcurrentHashMap<>();
    /** Per target, the stored (encrypted) credential its server refused: not offered again until it changes. */
    private final Map<Long, String> refusedCredential = new ConcurrentHashMap<>();
    private final AtomicReference<CompletableFuture<Void>> round = new AtomicReference<>();
    private volatile boolean closed;
    private volatile NetClient client;
    private volatile NetClient tlsClient;

    /** True when the last probe of this target failed. */
    public boolean unreachable(long targetId) {
        return unreachable.contains(targetId);
    }

    public String reason(long targetId) {
        return reasons.get(targetId);
    }

    @Scheduled(identity = "target-probe", every = "${cam.management.target-probe.every}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        // A round longer than the interval (many dead endpoints) is not queued behind: the next tick starts one.
        CompletableFuture<Void> mine = new CompletableFuture<>();
        if (round.compareAndSet(null, mine)) {
            run(mine);
        }
    }

    /**
     * A complete round over every RFB-endpoint target that starts after this call (after the one running, if any);
     * results arrive as the probes finish, and the stage completes when every target of the round was probed.
     */
    public CompletionStage<Void> probeAll() {
        CompletableFuture<Void> mine = new CompletableFuture<>();
        CompletableFuture<Void> running = round.compareAndExchange(null, mine);
        if (running != null) {
            // not on the thread that ends the running round (an event loop): the next round reads the database
            return running.thenComposeAsync(v -> probeAll(), Infrastructure.getDefaultWorkerPool());
        }
        run(mine);
        return mine;
    }

    private void run(CompletableFuture<Void> mine) {
        List<Endpoint> endpoints;
        try {
            endpoints = QuarkusTransaction.requiringNew().call(() -> em.createQuery(
                            "select t.id, t.host, t.port, t.credentialEnc, t.credentialUsername, t.tlsFingerprint,"
                            + " t.tlsCaPem from Target t where t.kind = :kind"
                            + " and t.host is not null and t.port is not null", Object[].class)
                    .setParameter("kind", TargetKind.RFB_ENDPOINT).getResultList().stream()
                    .map(r -> new Endpoint((Long) r[0], (String) r[1], (Integer) r[2], (String) r[3], (String) r[4],
                            (String) r[5], (String) r[6])).toList());
        } catch (RuntimeException e) {
            round.compareAndSet(mine, null);
            mine.completeExceptionally(e);
            throw e;
        }
        // Forget targets that are gone.
        Set<Long> ids = ConcurrentHashMap.newKeySet();
        endpoints.forEach(e -> ids.add(e.id()));
        unreachable.retainAll(ids);
        reasons.keySet().retainAll(ids);
        refusedCredential.keySet().retainAll(ids);
        if (endpoints.isEmpty()) {
            end(mine);
            return;
        }
        Deque<Endpoint> todo = new ArrayDeque<>(endpoints);
        AtomicInteger left = new AtomicInteger(endpoints.size());
        vertx.runOnContext(v -> {
            for (int i = 0; i < Math.max(1, config.concurrency()) && !todo.isEmpty(); i++) {
                next(todo, left, mine);
            }
        });
    }

    private void end(CompletableFuture<Void> r) {
        round.compareAndSet(r, null);
        r.complete(null);
    }

    /** Probes the next endpoint; each finished probe starts the next one (on the same context, no locking). */
    private void next(Deque<Endpoint> todo, AtomicInteger left, CompletableFuture<Void> r) {
        if (closed) {
            // shutting down: the round ends here, nothing is started on a closed client
            todo.clear();
            end(r);
            return;
        }
        Endpoint e = todo.pollFirst();
        if (e == null) {
            return;   // the last probes are in flight; the one that finishes last ends the round
        }
        new Probe(e, () -> {
            if (left.decrementAndGet() == 0) {
                end(r);
            }
            next(todo, left, r);
        }).start();
    }

    private void result(Endpoint e, String failure) {
        if (failure == null) {
            if (unreachable.remove(e.id())) {
                LOG.infof("target %d (%s:%d) answers again", e.id(), e.host(), e.port());
                cache.changed();   // cached list pages carry the old status
            }
            reasons.remove(e.id());
        } else {
            if (unreachable.add(e.id())) {
                LOG.debugf("target %d (%s:%d) unavailable: %s", e.id(), e.host(), e.port(), failure);
                cache.changed();
            }
            reasons.put(e.id(), failure);
        }
    }

    /** One probe: a small RFB client, all on the event loop of the round. */
    private final class Probe {
        private final Endpoint e;
        private final Runnable done;
        private final long timeoutMs = Math.max(1, config.timeout().toMillis());
        private Buffer in = Buffer.buffer();
        private int need;
        private Handler<Buffer> then;
        private NetSocket socket;
        private boolean banner;
        private boolean finished;
        private long timer = -1;

        Probe(Endpoint e, Runnable done) {
            this.e = e;
            this.done = done;
        }

        void start() {
            timer = vertx.setTimer(timeoutMs, t -> {
                timer = -1;
                // After the banner the server is up; it only did not finish the handshake in time.
                finish(banner ? null : "no RFB banner within " + timeoutMs + " ms");
            });
            (e.x509() ? tlsClient() : client()).connect(e.port(), e.host()).onComplete(ar -> {
                if (ar.failed()) {
                    finish("connect failed: " + ar.cause().getMessage());
                    return;
                }
                socket = ar.result();
                if (finished) {
                    socket.close();
                    return;
                }
                socket.handler(b -> {
                    in.appendBuffer(b);
                    drain();
                });
                socket.closeHandler(v -> finish(banner ? null : "closed before the RFB banner"));
                socket.exceptionHandler(x -> finish(banner ? null : String.valueOf(x.getMessage())));
                read(RfbVersion.LENGTH, this::version);
            });
        }

        private void read(int n, Handler<Buffer> h) {
            need = n;
            then = h;
            drain();
        }

        private void drain() {
            while (!finished && then != null && in.length() >= need) {
                Buffer got = in.getBuffer(0, need);
                in = in.getBuffer(need, in.length());
                Handler<Buffer> h = then;
                then = null;
                try {
                    h.handle(got);
                } catch (RuntimeException x) {
                    finish(banner ? "RFB handshake: " + x.getMessage() : "not an RFB server");
                }
            }
        }

        private void version(Buffer b) {
            RfbVersion v;
            try {
                v = RfbVersion.decode(b.getBytes(), 0, RfbVersion.LENGTH);
            } catch (ProtocolException x) {
                finish("not an RFB server");
                return;
            }
            banner = true;
            socket.write(Buffer.buffer(v.encode()));
            if (v.negotiatesSecurityTypes()) {
                read(1, n -> {
                    int count = n.getUnsignedByte(0);
                    if (count == 0) {
                        refusal();
                    } else {
                        read(count, t -> security(v, t));
                    }
                });
            } else {
                // RFB 3.3: the server picks; 0 is a refusal, which is how TigerVNC answers a blacklisted address
                // whatever version it otherwise speaks.
                read(4, t -> {
                    int type = t.getInt(0);
                    if (type == 0) {
                        refusal();
                    } else {
                        authenticate(v, type, false);
                    }
                });
            }
        }

        private void refusal() {
            read(4, l -> {
                int n = l.getInt(0);
                if (n < 0 || n > Handshake.MAX_REASON) {
                    finish("server refused (reason length " + n + ")");
                    return;
                }
                read(n, r -> finish("server refused: " + r.toString(StandardCharsets.UTF_8)));
            });
        }

        private void security(RfbVersion v, Buffer t) {
            List<Integer> offered = new ArrayList<>();
            for (int i = 0; i < t.length(); i++) {
                offered.add((int) t.getUnsignedByte(i));
            }
            int type = choose(offered);
            if (type < 0 && offered.contains(SecurityType.VENCRYPT) && !e.x509()) {
                // The broker may trust the server through its own CA, which management-api does not know: the
                // banner answered, and a session is the judge.
                finish(null);
                return;
            }
            if (type < 0) {
                boolean refused = e.credentialEnc() != null && e.credentialEnc().equals(refusedCredential.get(e.id()));
                finish(refused ? "server refused the target's credential (not offered again until it changes)"
                        : "server offers security types " + offered + ", none usable with the target's "
                        + (e.credentialEnc() == null ? "lack of credential" : "credential"));
                return;
            }
            socket.write(Buffer.buffer(new byte[] {(byte) type}));
            authenticate(v, type, true);
        }

        /** As the broker chooses: VeNCrypt when the certificate can be checked, VNC auth with a password, None. */
        private int choose(List<Integer> offered) {
            String password = credential();
            if (e.x509() && offered.contains(SecurityType.VENCRYPT)) {
                return SecurityType.VENCRYPT;
            }
            if (password != null && e.username() == null && offered.contains(SecurityType.VNC_AUTH)) {
                return SecurityType.VNC_AUTH;
            }
            if ((password == null || e.username() == null) && offered.contains(SecurityType.NONE)) {
                return SecurityType.NONE;
            }
            return -1;
        }

        /** The target's password, unless its server refused exactly this one before. */
        private String credential() {
            if (e.credentialEnc() == null || e.credentialEnc().equals(refusedCredential.get(e.id()))) {
                return null;
            }
            try {
                return secrets.decrypt(e.credentialEnc(), Target.credentialContext(e.id()));
            } catch (IllegalStateException bad) {
                return null;   // not this row's (planted) or another key: the claim refuses it too; send nothing
            }
        }

        private void authenticate(RfbVersion v, int type, boolean negotiated) {
            switch (type) {
                case SecurityType.NONE -> {
                    if (v == RfbVersion.V3_8) {
                        securityResult(v);
                    } else {
                        finish(null);   // 3.3/3.7 send no SecurityResult for None: authenticated already
                    }
                }
                case SecurityType.VNC_AUTH -> {
                    String password = credential();
                    if (password == null) {
                        finish("server requires VNC authentication; the target has no VNC password");
                        return;
                    }
                    vncAuth(v, password);
                }
                case SecurityType.VENCRYPT -> {
                    if (negotiated) {
                        veNCrypt(v);
                    } else {
                        finish("server requires security type " + type);
                    }
                }
                default -> finish("server requires security type " + type);
            }
        }

        private void vncAuth(RfbVersion v, String password) {
            read(VncAuth.CHALLENGE_LENGTH, c -> {
                socket.write(Buffer.buffer(VncAuth.response(c.getBytes(), password)));
                securityResult(v);
            });
        }

        private void securityResult(RfbVersion v) {
            read(4, r -> {
                if (r.getInt(0) == Handshake.RESULT_OK) {
                    finish(null);
                    return;
                }
                if (e.credentialEnc() != null) {
                    refusedCredential.put(e.id(), e.credentialEnc());
                }
                finish("server refused the target's credential");
            });
        }

        /** VeNCrypt 0.2 with the X509 sub-type the credential calls for; the certificate checked before it is used. */
        private void veNCrypt(RfbVersion v) {
            String password = credential();
            int want = password == null ? VeNCrypt.X509_NONE
                    : e.username() != null ? VeNCrypt.X509_PLAIN : VeNCrypt.X509_VNC;
            read(2, ver -> {
                if (ver.getByte(0) != VeNCrypt.MAJOR || ver.getByte(1) < VeNCrypt.MINOR) {
                    finish("server VeNCrypt " + ver.getByte(0) + "." + ver.getByte(1) + ", need 0.2");
                    return;
                }
                socket.write(Buffer.buffer(VeNCrypt.version()));
                read(1, ok -> {
                    if (ok.getByte(0) != 0) {
                        finish("server refused VeNCrypt 0.2");
                        return;
                    }
                    read(1, n -> read(4 * n.getUnsignedByte(0), list -> {
                        List<Integer> offered = new ArrayList<>();
                        for (int i = 0; i < list.length(); i += 4) {
                            offered.add(list.getInt(i));
                        }
                        if (!offered.contains(want)) {
                            finish("server offers VeNCrypt " + offered.stream().map(VeNCrypt::name).toList()
                                    + ", not " + VeNCrypt.name(want));
                            return;
                        }
                        socket.write(Buffer.buffer(VeNCrypt.u32(want)));
                        read(1, ack -> {
                            if (ack.getByte(0) != 1) {
                                finish("server refused VeNCrypt " + VeNCrypt.name(want));
                                return;
                            }
                            tls(v, want, password);
                        });
                    }));
                });
            });
        }

        private void tls(RfbVersion v, int subtype, String password) {
            socket.upgradeToSsl(e.host()).onComplete(ar -> {
                if (finished) {
                    return;
                }
                if (ar.failed()) {
                    finish("TLS: " + ar.cause().getMessage());
                    return;
                }
                try {
                    DeviceTls.verify(socket.peerCertificates(), e.host(), e.fingerprint(),
                            DeviceTls.certificates(e.caPem()));
                } catch (ProtocolException | GeneralSecurityException | SSLPeerUnverifiedException x) {
                    finish("server certificate: " + x.getMessage());
                    return;
                }
                if (subtype == VeNCrypt.X509_VNC) {
                    vncAuth(v, password);
                } else {
                    if (subtype == VeNCrypt.X509_PLAIN) {
                        socket.write(Buffer.buffer(VeNCrypt.encodePlain(e.username(), password)));
                    }
                    securityResult(v);
                }
            });
        }

        private void finish(String failure) {
            if (finished) {
                return;
            }
            finished = true;
            then = null;
            if (timer >= 0) {
                vertx.cancelTimer(timer);
            }
            if (socket != null) {
                socket.close();
            }
            result(e, failure);
            done.run();
        }
    }

    private NetClient client() {
        if (client == null) {
            client = vertx.createNetClient(new NetClientOptions()
                    .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis())));
        }
        return client;
    }

    /**
     * For targets with a pin or CA: trust-all at the TLS layer only, as the broker's; {@link DeviceTls} checks the
     * certificate right after the handshake, before a credential byte is sent.
     */
    private NetClient tlsClient() {
        if (tlsClient == null) {
            tlsClient = vertx.createNetClient(new NetClientOptions()
                    .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis()))
                    .setTrustAll(true).setHostnameVerificationAlgorithm(""));
        }
        return tlsClient;
    }

    @PreDestroy
    void close() {
        closed = true;
        if (client != null) {
            client.close();
        }
        if (tlsClient != null) {
            tlsClient.close();
        }
    }
}
