package org.cam.broker.ticket;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import org.cam.broker.BrokerConfig;
import org.cam.protocol.ProtocolException;
import org.cam.protocol.ticket.Ticket;
import org.cam.protocol.ticket.TicketKeys;
import org.cam.protocol.ticket.TicketReasons;
import org.cam.protocol.ticket.TicketVerifier;
import org.jboss.logging.Logger;

/** Offline ticket verification with the configured public keys (no call to management-api). */
@ApplicationScoped
@Startup // load the keys at start, so a missing key file shows in the log before the first browser does
public class TicketService {

    /** Map key meaning "derive the key id from the key". */
    public static final String AUTO = "auto";
    private static final Logger LOG = Logger.getLogger(TicketService.class);

    private final TicketVerifier verifier;
    private final String audience;

    public TicketService(BrokerConfig config) {
        this.audience = config.ticket().audience();
        Map<String, PublicKey> keys = new HashMap<>();
        config.ticket().publicKeys().forEach((kid, value) -> {
            String text = pem(value);
            if (text == null) {
                LOG.warnf("ticket key %s: %s does not exist; tickets signed with it are refused", kid, value);
                return;
            }
            PublicKey key = TicketKeys.publicKeyFromPem(text);
            // "auto": the id derived from the key itself (TicketKeys.keyId), for signers that do not name keys.
            keys.put(AUTO.equals(kid) ? TicketKeys.keyId(key) : kid, key);
        });
        this.verifier = keys.isEmpty() ? null
                : new TicketVerifier(keys, Clock.systemUTC(), config.ticket().allowedSkew());
    }

    /** The verified claims; throws with a {@link TicketReasons} reason. */
    public Ticket verify(String token) throws ProtocolException {
        if (verifier == null) {
            throw new ProtocolException(TicketReasons.UNKNOWN_KEY);
        }
        return verifier.verify(token, audience);
    }

    private static String pem(String value) {
        if (value.contains("-----BEGIN")) {
            return value;
        }
        if (value.isBlank() || !Files.exists(Path.of(value.trim()))) {
            return null;
        }
        try {
            return Files.readString(Path.of(value.trim()));
        } catch (IOException e) {
            throw new IllegalArgumentException("cam.broker.ticket.public-keys: cannot read " + value, e);
        }
    }
}
