package org.cam.management.session.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import jakarta.inject.Inject;
import org.cam.management.common.ApiException;
import org.cam.management.common.SecretBox;
import org.cam.management.config.ManagementConfig;
import org.cam.management.device.Device;
import org.cam.management.device.DeviceState;
import org.cam.management.device.service.DeviceClient;
import org.cam.management.session.KvmSession;
import org.cam.management.session.SessionEnded;
import org.cam.management.target.Target;
import org.cam.management.target.TargetKind;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A fresh credential for each claimed session on a device channel: set on the device over its pinned, authenticated
 * HTTPS API (single use, {@code sessions.channel-credential-ttl}), handed to the broker in the claim, revoked when
 * the session ends. The channel's own credential (set at enrolment) then never crosses the network, and what a
 * captured RFB handshake could reveal is a password already used; devices are told at enrolment to accept nothing
 * else ({@code DeviceService#channelSecurity}). Runs outside database transactions: a device call can take seconds.
 */
@ApplicationScoped
public class ChannelCredentials {
    private static final Logger LOG = Logger.getLogger(ChannelCredentials.class);

    @Inject
    DeviceClient client;

    @Inject
    SecretBox secrets;

    @Inject
    ManagementConfig config;

    @Inject
    SessionClaims sessions;

    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "channel-credential-revoke");
        t.setDaemon(true);
        return t;
    });

    /** How to reach a session's device channel. */
    record Channel(String address, int httpsPort, String fingerprint, String secret, int number, String label) {
        @Override
        public String toString() {
            return "Channel[" + label + " " + number + "]";   // never the secret
        }
    }

    /**
     * The claim with a session credential of its own when the target is a managed device's channel; unchanged for
     * other targets and for devices whose API has no session credentials (404/405: the channel's own credential, as
     * before). A device that cannot be reached ends the session (device_unreachable) and the broker gets a 503.
     */
    public SessionClaims.Claimed issue(SessionClaims.Claimed c, String actor) {
        Channel ch = channelOf(c.sessionId());
        if (ch == null) {
            return c;
        }
        String password = SecretBox.randomText(8);
        DeviceClient.Result r = call(ch, "POST", "/api/v1/channels/" + ch.number() + "/session-credentials",
                Map.of("id", c.sessionId(), "password", password,
                        "ttlSeconds", config.sessions().channelCredentialTtl().toSeconds()));
        if (r.ok()) {
            SessionClaims.DeviceEndpoint d = c.device();
            return c.withDevice(new SessionClaims.DeviceEndpoint(d.host(), d.port(), "VNC", null, password,
                    d.tlsFingerprint(), d.tlsCaPem()));
        }
        // the channel's own credential, unless it is stored but does not decrypt in its row (SessionClaims#claimed)
        boolean own = c.device().password() != null || !"VNC".equals(c.device().auth());
        if ((r.status() == 404 || r.status() == 405) && own) {
            LOG.warnf("device %s has no session credentials (HTTP %d): session %s uses the channel's own credential",
                    ch.label(), r.status(), c.sessionId());
            return c;
        }
        if (r.status() == 404 || r.status() == 405) {
            String why = "device " + ch.label() + " has no session credentials and the channel's own credential does "
                    + "not decrypt in its row (planted, or stored under another key): re-approve the device";
            sessions.endUnusable(c.sessionId(), "device_unreachable", actor, why);
            throw ApiException.unavailable(why, 5);
        }
        String why = "device " + ch.label() + " did not take a session credential: "
                + (r.status() == 0 ? "unreachable (" + r.body() + ")" : "HTTP " + r.status());
        sessions.endUnusable(c.sessionId(), "device_unreachable", actor, why);
        throw ApiException.unavailable(why, 5);
    }

    /**
     * Whichever way a claimed session ends (end report, broker lost, admin disconnect, unusable), its credential is
     * deleted from the device once the end is committed, in the background: a credential the broker never used (it
     * lost the session before connecting) does not wait on the device for its lifetime to run out.
     */
    void ended(@Observes(during = TransactionPhase.AFTER_SUCCESS) SessionEnded e) {
        if (e.claimed()) {
            background.execute(() -> {
                try {
                    revoke(e.sessionId());
                } catch (RuntimeException ex) {
                    LOG.debugf(ex, "revoking the session credential of %s", e.sessionId());
                }
            });
        }
    }

    @PreDestroy
    void stop() {
        background.shutdownNow();
    }

    /** Best effort: an unused credential would expire on the device anyway. */
    public void revoke(String sessionId) {
        Channel ch = channelOf(sessionId);
        if (ch == null) {
            return;
        }
        client.call(ch.address(), ch.httpsPort(), ch.fingerprint(), ch.secret(), "DELETE",
                        "/api/v1/channels/" + ch.number() + "/session-credentials/" + sessionId, null)
                .whenComplete((r, t) -> {
                    if (t != null || !r.ok()) {
                        LOG.debugf("revoking the session credential of %s on %s: %s", sessionId, ch.label(),
                                t != null ? t.getMessage() : "HTTP " + r.status());
                    }
                });
    }

    private Channel channelOf(String sessionId) {
        return QuarkusTransaction.requiringNew().call(() -> {
            KvmSession s = KvmSession.findById(sessionId);
            Target t = s == null ? null : Target.findById(s.targetId);
            if (t == null || t.kind != TargetKind.DEVICE_CHANNEL || t.deviceId == null) {
                return null;
            }
            Device d = Device.findById(t.deviceId);
            if (d == null || d.state != DeviceState.MANAGED || d.pinnedFingerprint == null || d.secretEnc == null) {
                return null;
            }
            return new Channel(d.address, d.httpsPort, d.pinnedFingerprint,
                    secrets.decrypt(d.secretEnc, d.secretContext()), t.channel, d.label());
        });
    }

    private DeviceClient.Result call(Channel ch, String method, String path, Object body) {
        try {
            return client.callSync(ch.address(), ch.httpsPort(), ch.fingerprint(), ch.secret(), method, path, body);
        } catch (IOException e) {
            return new DeviceClient.Result(0, String.valueOf(e.getMessage()));
        }
    }
}
