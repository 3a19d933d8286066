package org.cam.management.device.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cam.management.config.ManagementConfig;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The management channel to devices (docs/protocols/device-api.md): HTTPS pinned to the SHA-256 fingerprint of the
 * device certificate, the only trust there is (devices have self-signed certificates; no CA, no host name check).
 * <p>
 * One JDK HttpClient for every device: its trust manager looks up the pin of the host:port being connected
 * ({@link SSLEngine#getPeerHost()}/{@code getPeerPort()}), so a fleet of 1,000s shares one connection pool and one
 * selector thread. A pin is bound to the request, not only to the handshake: a pooled connection is reused without a
 * new handshake, so a host:port's pin in the shared pool is set once and never replaced; a request that expects
 * another certificate (enrolment with an advertised fingerprint, a re-pinned device) gets a connection of its own,
 * verified against its own pin. {@link #pinned} starts a fresh pool when a device is pinned to another
 * certificate. The Quarkus REST
 * client is not used: it binds a base URL and TLS configuration per client at build/config time, while device
 * addresses and pins are data that changes at run time.
 */
@ApplicationScoped
public class DeviceClient {
    static final String MISMATCH = "certificate fingerprint mismatch";

    /** A device answer. */
    public record Result(int status, String body) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** The device presented a certificate other than the pinned one. */
    public static class PinMismatchException extends IOException {
        public PinMismatchException(String detail) {
            super(detail);
        }
    }

    /** A connection pool and the pins its connections were verified with (host:port -> fingerprint, never replaced). */
    private record Pool(HttpClient http, Map<String, String> pins) {
    }

    private volatile Pool pool;
    private final ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
        Thread t = new Thread(r, "device-client");
        t.setDaemon(true);
        return t;
    });
    private final Duration timeout;

    @Inject
    ObjectMapper json;

    @Inject
    public DeviceClient(ManagementConfig config) {
        timeout = config.devices().requestTimeout();
        pool = pool(new ConcurrentHashMap<>());
    }

    private Pool pool(Map<String, String> pins) {
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {new PinningTrustManager(pins)}, new SecureRandom());
            SSLParameters params = ctx.getDefaultSSLParameters();
            params.setEndpointIdentificationAlgorithm(null);   // the pin is the identity
            return new Pool(HttpClient.newBuilder().sslContext(ctx).sslParameters(params).executor(executor)
                    .version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build(), pins);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The device at address:port is now pinned to {@code fingerprint}. If the shared pool holds another pin for that
     * host:port, later requests use a fresh pool (connections verified under the old pins age out with the old one).
     */
    public void pinned(String address, int port, String fingerprint) {
        String shared = pool.pins().get(address + ":" + port);
        if (shared != null && !shared.equals(fingerprint.toLowerCase())) {
            pool = pool(new ConcurrentHashMap<>());
        }
    }

    @PreDestroy
    void close() {
        executor.shutdownNow();
    }

    /**
     * Calls the device at address:port, requiring its certificate to have {@code fingerprint}, with HTTP Basic
     * {@code cam:<credential>} and {@code body} as JSON. Fails with {@link PinMismatchException} when the
     * certificate differs.
     */
    public CompletableFuture<Result> call(String address, int port, String fingerprint, String credential,
                                          String method, String path, Object body) {
        return call(address, port, fingerprint, credential, method, path, body, timeout);
    }

    public CompletableFuture<Result> call(String address, int port, String fingerprint, String credential,
                                          String method, String path, Object body, Duration timeout) {
        HttpRequest.BodyPublisher publisher;
        try {
            publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body));
        } catch (IOException e) {
            return CompletableFuture.failedFuture(e);
        }
        return send(address, port, fingerprint, credential, method, path, publisher, "application/json", timeout);
    }

    public Result callSync(String address, int port, String fingerprint, String credential, String method,
                           String path, Object body) throws IOException {
        return join(call(address, port, fingerprint, credential, method, path, body, timeout));
    }

    /** As {@link #callSync}, waiting up to {@code timeout} (operations the device takes its time over). */
    public Result callSync(String address, int port, String fingerprint, String credential, String method,
                           String path, Object body, Duration timeout) throws IOException {
        return join(call(address, port, fingerprint, credential, method, path, body, timeout));
    }

    /** POSTs a file as application/octet-stream, streamed from disk (firmware images are up to 64 MiB). */
    public Result upload(String address, int port, String fingerprint, String credential, String path,
                         java.nio.file.Path file, Duration timeout) throws IOException {
        long size = java.nio.file.Files.size(file);
        // Opened without following links (FirmwareLibrary.open); the length is known, so no chunked upload.
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> {
                    try {
                        return FirmwareLibrary.open(file);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }), size);
        return join(send(address, port, fingerprint, credential, "POST", path, body, "application/octet-stream",
                timeout));
    }

    private CompletableFuture<Result> send(String address, int port, String fingerprint, String credential,
                                           String method, String path, HttpRequest.BodyPublisher publisher,
                                           String contentType, Duration timeout) {
        String hostPort = address + ":" + port;
        String pin = fingerprint.toLowerCase();
        Pool p = pool;
        String shared = p.pins().putIfAbsent(hostPort, pin);
        // Only requests expecting the pool's pin for host:port may use its (possibly pooled) connections.
        HttpClient http = shared == null || shared.equals(pin) ? p.http()
                : pool(new ConcurrentHashMap<>(Map.of(hostPort, pin))).http();
        HttpRequest req = HttpRequest.newBuilder(URI.create("https://" + hostPort + path))
                .timeout(timeout)
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString(("cam:" + credential).getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", contentType)
                .method(method, publisher)
                .build();
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
                .handle((r, err) -> {
                    if (err != null) {
                        throw new java.util.concurrent.CompletionException(translate(err));
                    }
                    return new Result(r.statusCode(), r.body());
                });
    }

    private static Result join(CompletableFuture<Result> f) throws IOException {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException io ? io : new IOException(c);
        }
    }

    public JsonNode parse(Result r) throws IOException {
        return json.readTree(r.body());
    }

    private static Throwable translate(Throwable err) {
        for (Throwable c = err; c != null; c = c.getCause()) {
            if (c.getMessage() != null && c.getMessage().contains(MISMATCH)) {
                return new PinMismatchException(c.getMessage().substring(c.getMessage().indexOf(MISMATCH)));
            }
        }
        while ((err instanceof java.util.concurrent.CompletionException) && err.getCause() != null) {
            err = err.getCause();
        }
        return err instanceof IOException ? err : new IOException(err.getMessage(), err);
    }

    public static String fingerprint(X509Certificate cert) throws CertificateException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new CertificateException(e);
        }
    }

    /** Accepts exactly the pinned certificate of the host:port being connected; nothing else. */
    private static final class PinningTrustManager extends X509ExtendedTrustManager {
        private final Map<String, String> pins;

        PinningTrustManager(Map<String, String> pins) {
            this.pins = pins;
        }

        private void check(X509Certificate[] chain, String host, int port) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("no certificate");
            }
            String expected = pins.get(host + ":" + port);
            String presented = fingerprint(chain[0]);
            if (expected == null || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                    presented.getBytes(StandardCharsets.US_ASCII))) {
                throw new CertificateException(MISMATCH + ": " + host + ":" + port + " presented " + presented
                        + ", expected " + expected);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            check(chain, engine.getPeerHost(), engine.getPeerPort());
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            check(chain, socket.getInetAddress().getHostAddress(), socket.getPort());
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("a device connection needs its peer to look up the pin");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("client certificates are not used");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("client certificates are not used");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not used");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
