package org.cam.management.session.service;

import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.config.ManagementConfig;
import org.cam.protocol.ticket.TicketKeys;
import org.cam.protocol.ticket.TicketMode;
import org.cam.protocol.ticket.TicketSigner;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;

/**
 * Signs session tickets (protocol's Ed25519 format) with the key pair at cam.management.sessions.ticket-*-key,
 * generated there at first start when both files are missing. Brokers verify offline with the public key file
 * (key id = {@link TicketKeys#keyId}, the same rule as the broker's "auto" key).
 */
@Startup
@ApplicationScoped
public class TicketService {
    private static final Logger LOG = Logger.getLogger(TicketService.class);

    private final TicketSigner signer;
    private final PublicKey publicKey;
    private final String audience;
    private final Duration ttl;

    @Inject
    public TicketService(ManagementConfig config) {
        Path priv = Path.of(config.sessions().ticketPrivateKey());
        Path pub = Path.of(config.sessions().ticketPublicKey());
        try {
            if (!Files.exists(priv) && !Files.exists(pub)) {
                generate(priv, pub);
            }
            PrivateKey privateKey = TicketKeys.privateKeyFromPem(Files.readString(priv));
            publicKey = TicketKeys.publicKeyFromPem(Files.readString(pub));
            signer = new TicketSigner(privateKey, TicketKeys.keyId(publicKey), Clock.systemUTC());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ticket keys " + priv.toAbsolutePath(), e);
        }
        audience = config.sessions().ticketAudience();
        ttl = config.sessions().ticketTtl();
    }

    public String issue(String sessionId, String user, long targetId, TicketMode mode) {
        return signer.issue(sessionId, user, String.valueOf(targetId), mode, audience, ttl);
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    private static synchronized void generate(Path priv, Path pub) throws IOException {
        Path dir = priv.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Files.createDirectories(pub.toAbsolutePath().getParent());
        KeyPair kp = TicketKeys.generate();
        Path tmp = Files.createTempFile(dir, "ticket", ".tmp");
        try {
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
            // not a POSIX file system
        }
        Files.writeString(tmp, TicketKeys.toPem(kp.getPrivate()));
        Files.move(tmp, priv);
        Files.writeString(pub, TicketKeys.toPem(kp.getPublic()));
        LOG.infof("generated an Ed25519 ticket key pair: %s (brokers read %s)", priv.toAbsolutePath(),
                pub.toAbsolutePath());
    }
}
