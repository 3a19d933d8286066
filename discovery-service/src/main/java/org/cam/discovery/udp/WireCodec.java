package org.cam.discovery.udp;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.discovery.config.DiscoveryConfig;
import org.cam.protocol.discovery.DiscoveryCodec;
import org.cam.protocol.discovery.SiteKey;

/** The discovery codec configured with the optional site key. */
@ApplicationScoped
public class WireCodec {

    @Inject
    DiscoveryConfig config;

    private volatile DiscoveryCodec codec;

    public DiscoveryCodec codec() {
        DiscoveryCodec c = codec;
        if (c == null) {
            c = DiscoveryCodec.withOptionalKey(config.siteKey().map(SiteKey::fromBase64).orElse(null));
            codec = c;
        }
        return c;
    }
}
