package org.cam.discovery.security;

import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.cam.discovery.config.DiscoveryConfig;
import org.cam.discovery.forward.ManagementClients;
import org.jboss.logging.Logger;

/**
 * Whether a bearer token is a management-api admin's: management-api itself is asked (whoami), so a token it would
 * refuse (expired, revoked by a password or role change, a disabled user) is refused here at once too. Only tokens
 * shaped like a JWT are passed on, and only a few checks at a time.
 */
@ApplicationScoped
public class AdminCheck {

    private static final Logger LOG = Logger.getLogger(AdminCheck.class);
    private static final Pattern JWT = Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");

    /** What management-api said of the token. */
    public enum Verdict { ADMIN, NOT_ADMIN, REFUSED, UNAVAILABLE, BUSY }

    @Inject
    DiscoveryConfig config;

    @Inject
    ManagementClients clients;

    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile WhoAmIClient client;

    public boolean applies(String token) {
        return config.api().admins() && token.length() <= 8192 && JWT.matcher(token).matches();
    }

    public Uni<Verdict> check(String token) {
        if (inFlight.incrementAndGet() > config.api().maxAdminChecks()) {
            inFlight.decrementAndGet();
            return Uni.createFrom().item(Verdict.BUSY);
        }
        return client().whoami("Bearer " + token)
                .map(r -> {
                    try (r) {
                        if (r.getStatus() == 401) {
                            return Verdict.REFUSED;
                        }
                        if (r.getStatus() != 200) {
                            LOG.debugf("management-api answered whoami with HTTP %d", r.getStatus());
                            return Verdict.UNAVAILABLE;
                        }
                        WhoAmIClient.WhoAmI who = r.readEntity(WhoAmIClient.WhoAmI.class);
                        return who.roles() != null && who.roles().contains("admin") ? Verdict.ADMIN
                                : Verdict.NOT_ADMIN;
                    }
                })
                .onFailure().recoverWithItem(t -> {
                    LOG.debugf("management-api not reached for whoami: %s", t.getMessage());
                    return Verdict.UNAVAILABLE;
                })
                .onTermination().invoke(inFlight::decrementAndGet);
    }

    private WhoAmIClient client() {
        WhoAmIClient c = client;
        if (c == null) {
            synchronized (this) {
                if (client == null) {
                    client = clients.build(WhoAmIClient.class);
                }
                c = client;
            }
        }
        return c;
    }

}
