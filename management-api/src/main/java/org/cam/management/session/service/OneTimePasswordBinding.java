package org.cam.management.session.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.cam.management.common.SecretBox;
import org.cam.management.session.KvmSession;
import org.cam.management.session.SessionState;
import org.jboss.logging.Logger;

import java.time.Instant;

/**
 * One-time VNC passwords are bound to their session (AES-GCM associated data), so a ciphertext whose password someone
 * knows (their own session's) copied into another PENDING session's row claims nothing there. Those written before
 * the binding (v1) are re-encrypted bound at start-up, for the PENDING sessions only: an ended or expired session's
 * password is never read again. From then on an unbound one is no candidate ({@link SessionClaims}).
 */
@ApplicationScoped
public class OneTimePasswordBinding {
    private static final Logger LOG = Logger.getLogger(OneTimePasswordBinding.class);

    @Inject
    SecretBox secrets;

    void bindAtStart(@Observes StartupEvent ev) {
        int n = bindToTheirRows();
        if (n > 0) {
            LOG.infof("bound %d pending one-time VNC password(s) to their sessions (AES-GCM associated data)", n);
        }
    }

    /** Replicas starting together may race on a row: the conditional update keeps whichever won. */
    public int bindToTheirRows() {
        return QuarkusTransaction.requiringNew().call(() -> {
            int n = 0;
            for (KvmSession s : KvmSession.<KvmSession>list("state = ?1 and expiresAt > ?2 and vncPasswordEnc like ?3",
                    SessionState.PENDING, Instant.now(), "v1:%")) {
                String plain;
                try {
                    plain = secrets.decrypt(s.vncPasswordEnc);
                } catch (IllegalStateException e) {
                    continue;   // another key: it expires unclaimed, as it would have before
                }
                n += KvmSession.update("vncPasswordEnc = ?1 where id = ?2 and vncPasswordEnc = ?3",
                        secrets.encrypt(plain, s.passwordContext()), s.id, s.vncPasswordEnc);
            }
            return n;
        });
    }
}
