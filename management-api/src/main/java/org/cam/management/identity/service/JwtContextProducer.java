package org.cam.management.identity.service;

import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import org.cam.management.config.ManagementConfig;

/**
 * Verification settings for smallrye-jwt built from our own key pair, replacing the mp.jwt.verify.* properties:
 * the public key may be generated at first start, after configuration has been read.
 */
public class JwtContextProducer {

    @Produces
    @Alternative
    @Priority(1)
    @ApplicationScoped
    JWTAuthContextInfo contextInfo(JwtKeys keys, ManagementConfig config) {
        JWTAuthContextInfo info = new JWTAuthContextInfo(keys.publicKey(), config.jwt().issuer());
        info.setExpGracePeriodSecs(5);
        return info;
    }
}
