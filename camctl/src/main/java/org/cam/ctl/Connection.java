package org.cam.ctl;

import org.cam.ctl.generated.api.AuthResourceApi;
import org.cam.ctl.generated.client.ApiClient;
import org.cam.ctl.generated.client.ApiException;
import org.cam.ctl.generated.model.LoginRequest;
import org.cam.ctl.generated.model.RefreshRequest;
import org.cam.ctl.generated.model.Tokens;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;

/** The generated client, pointed at the logged-in server with its TLS choice and a fresh bearer token. */
final class Connection {
    private final Context ctx;
    private final Clock clock;

    Connection(Context ctx, Clock clock) {
        this.ctx = ctx;
        this.clock = clock;
    }

    /** Logs in with a password and caches the tokens. */
    Config login(String server, String username, char[] password, String caFile, boolean insecure) {
        Config cfg = new Config();
        cfg.server = normalise(server);
        cfg.username = username;
        cfg.caFile = caFile == null ? null : Path.of(caFile).toAbsolutePath().toString();
        cfg.insecureSkipTlsVerify = insecure;
        try {
            Tokens t = new AuthResourceApi(client(cfg, null))
                    .apiV1AuthLoginPost(new LoginRequest().username(username).password(new String(password)));
            store(cfg, t);
        } catch (ApiException e) {
            throw Problems.of(e);
        }
        cfg.save(ctx.configFile());
        return cfg;
    }

    /** A client with a valid access token: refreshed (and the cache rewritten) when it ran out. */
    ApiClient authenticated() {
        Config cfg = current();
        return client(cfg, cfg.accessToken);
    }

    /**
     * replication-monitor's generated client, pointed at management-api with the login's token: management-api
     * serves the monitor's status and actions at the same paths and answers the monitor's bodies as they are.
     */
    org.cam.ctl.monitor.client.ApiClient monitorThroughManagement() {
        Config cfg = current();
        return monitorClient(cfg.server, sslContext(cfg), "Bearer " + cfg.accessToken);
    }

    /** replication-monitor's generated client for the monitor itself (its own admin, HTTP Basic, or none). */
    static org.cam.ctl.monitor.client.ApiClient monitorClient(String baseUri, SSLContext ssl, String authorization) {
        HttpClient.Builder http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).sslContext(ssl);
        var client = new org.cam.ctl.monitor.client.ApiClient(http,
                org.cam.ctl.monitor.client.ApiClient.createDefaultObjectMapper(), baseUri);
        client.setReadTimeout(Duration.ofSeconds(120));
        if (authorization != null) {
            client.setRequestInterceptor(b -> b.setHeader("Authorization", authorization));
        }
        return client;
    }

    /** The cached login with a valid access token. */
    private Config current() {
        Config cfg = Config.load(ctx.configFile());
        if (cfg == null || cfg.server == null) {
            throw new CliException(Problems.NOT_ALLOWED, "not logged in: run camctl login SERVER");
        }
        if (!cfg.accessTokenValid(clock.instant())) {
            if (!cfg.refreshTokenValid(clock.instant())) {
                throw new CliException(Problems.NOT_ALLOWED, "the login to " + cfg.server + " expired: run camctl login again");
            }
            try {
                store(cfg, new AuthResourceApi(client(cfg, null))
                        .apiV1AuthRefreshPost(new RefreshRequest().refreshToken(cfg.refreshToken)));
            } catch (ApiException e) {
                if (e.getCode() == 401) {
                    throw new CliException(Problems.NOT_ALLOWED,
                            "the login to " + cfg.server + " is no longer valid: run camctl login again");
                }
                throw Problems.of(e);
            }
            cfg.save(ctx.configFile());
        }
        return cfg;
    }

    private static void store(Config cfg, Tokens t) {
        cfg.accessToken = t.getAccessToken();
        cfg.accessTokenExpiresAt = t.getAccessTokenExpiresAt().toInstant();
        cfg.refreshToken = t.getRefreshToken();
        cfg.refreshTokenExpiresAt = t.getRefreshTokenExpiresAt().toInstant();
        cfg.username = t.getUsername();
    }

    static ApiClient client(Config cfg, String bearer) {
        HttpClient.Builder http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(10))
                .sslContext(sslContext(cfg));
        ApiClient client = new ApiClient(http, ApiClient.createDefaultObjectMapper(), cfg.server);
        client.setReadTimeout(Duration.ofSeconds(120));
        if (bearer != null) {
            client.setRequestInterceptor(b -> b.setHeader("Authorization", "Bearer " + bearer));
        }
        return client;
    }

    static String normalise(String server) {
        String s = server.strip();
        if (!s.contains("://")) {
            s = "https://" + s;
        }
        while (s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        URI uri = URI.create(s);
        if (uri.getHost() == null) {
            throw new CliException(Problems.USAGE, "not a server URL: " + server);
        }
        return s;
    }

    static SSLContext sslContext(Config cfg) {
        try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            if (cfg.insecureSkipTlsVerify) {
                // Asked for by name only (--insecure-skip-tls-verify): the certificate and its host name go unchecked.
                System.setProperty("jdk.internal.httpclient.disableHostnameVerification", "true");
                ssl.init(null, new TrustManager[]{new TrustAll()}, null);
            } else if (cfg.caFile != null) {
                ssl.init(null, trustOnly(Path.of(cfg.caFile)), null);
            } else {
                ssl.init(null, null, null);
            }
            return ssl;
        } catch (GeneralSecurityException | IOException e) {
            throw new CliException(Problems.ERROR, "cannot set up TLS: " + Problems.describe(e));
        }
    }

    private static TrustManager[] trustOnly(Path caFile) throws GeneralSecurityException, IOException {
        KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
        store.load(null, null);
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new CliException(Problems.USAGE, "--ca-file " + caFile + " holds no certificate");
            }
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("ca" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        return tmf.getTrustManagers();
    }

    private static final class TrustAll implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
