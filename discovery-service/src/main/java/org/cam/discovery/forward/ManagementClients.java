package org.cam.discovery.forward;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.util.concurrent.TimeUnit;
import org.cam.discovery.config.DiscoveryConfig;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * REST clients for management-api ({@code cam.discovery.forward.url}): the forwarder's, and the API's check of an
 * admin's token. Statuses come back as responses, not exceptions: the callers decide what each one means.
 */
@ApplicationScoped
public class ManagementClients {

    private static final Logger LOG = Logger.getLogger(ManagementClients.class);

    /** The named TLS configuration for management-api (the same name as in session-broker). */
    // No dash in the name: QUARKUS_TLS__MANAGEMENT__* environment variables can then name it (a dash cannot be
    // written in an environment name; QUARKUS_TLS__MANAGEMENT_API__* means "management.api").
    public static final String TLS_CONFIGURATION = "management";

    @Inject
    DiscoveryConfig config;

    @Inject
    TlsConfigurationRegistry tlsRegistry;

    public <T> T build(Class<T> api) {
        long timeoutMs = config.forward().requestTimeout().toMillis();
        QuarkusRestClientBuilder builder = QuarkusRestClientBuilder.newBuilder()
                .baseUri(URI.create(config.forward().url()))
                .connectTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .readTimeout(timeoutMs, TimeUnit.MILLISECONDS)
                .property("microprofile.rest.client.disable.default.mapper", true);
        return trust(builder).build(api);
    }

    /**
     * Trust for management-api's certificate comes from the Quarkus TLS registry, as in session-broker: the named
     * configuration {@value #TLS_CONFIGURATION} (application.properties; the trusted PEM file(s) come from
     * {@code quarkus.tls.management.trust-store.pem.certs}, env QUARKUS_TLS__MANAGEMENT__TRUST_STORE_PEM_CERTS).
     * The registry has already read the PEM file at start-up (a missing or unreadable one fails the start) and
     * refuses trust-all together with a trust store; no trust store and no trust-all means the JVM's default trust.
     * Plain http (tests) gets none: a TLS configuration would switch the client to TLS.
     */
    private QuarkusRestClientBuilder trust(QuarkusRestClientBuilder builder) {
        if (!"https".equalsIgnoreCase(URI.create(config.forward().url()).getScheme())) {
            return builder;
        }
        TlsConfiguration tls = tlsRegistry.get(TLS_CONFIGURATION).orElseThrow(() -> new IllegalStateException(
                "no TLS configuration quarkus.tls." + TLS_CONFIGURATION + ".* (application.properties defines it)"));
        if (tls.isTrustAll()) {
            LOG.warnf("INSECURE: quarkus.tls.%s.trust-all=true (CAM_DISCOVERY_FORWARD_TRUST_ALL) accepts any "
                    + "certificate from %s, so anyone on the path can pose as management-api and read the service "
                    + "token; trust its certificate or CA instead (QUARKUS_TLS__MANAGEMENT__TRUST_STORE_PEM_CERTS)",
                    TLS_CONFIGURATION, config.forward().url());
        } else if (tls.getTrustStore() != null) {
            LOG.infof("management-api's certificate is checked against %s (host-name verification %s)",
                    ConfigProvider.getConfig().getOptionalValue("quarkus.tls." + TLS_CONFIGURATION
                            + ".trust-store.pem.certs", String.class).orElse("the configured trust store"),
                    tls.getHostnameVerificationAlgorithm().orElse("HTTPS"));
        }
        return builder.tlsConfiguration(tls);
    }
}
