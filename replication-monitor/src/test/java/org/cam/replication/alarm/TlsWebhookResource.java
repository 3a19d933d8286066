package org.cam.replication.alarm;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.cam.testsupport.tls.TestCertificate;

/**
 * A loopback HTTPS webhook whose server certificate the test switches between management-api's (in the monitor's
 * trust file, quarkus.tls.management.trust-store.pem.certs), a trusted one issued for another host name, and a foreign one; and monitor nodes on closed ports, so
 * the monitor raises an alarm as soon as it starts.
 */
public class TlsWebhookResource implements QuarkusTestResourceLifecycleManager {

    static final String TOKEN = "test-replication-token";
    static final List<String> ALARMS = new CopyOnWriteArrayList<>();
    static final List<String> AUTHORIZATIONS = new CopyOnWriteArrayList<>();
    /** The alias of each certificate the server presented in a handshake, in order. */
    static final List<String> PRESENTED = new CopyOnWriteArrayList<>();
    /** Which certificate new handshakes get: "api", "other-host" or "foreign". */
    static volatile String serving = "foreign";

    private HttpsServer server;
    private Path dir;

    @Override
    public Map<String, String> start() {
        try {
            TestCertificate api = TestCertificate.create("localhost", "127.0.0.1");
            TestCertificate otherHost = TestCertificate.create("elsewhere.test", null);
            TestCertificate foreign = TestCertificate.create("localhost", "127.0.0.1");
            dir = Files.createTempDirectory("cam-webhook-trust");
            Path pem = Files.writeString(dir.resolve("trusted.pem"), api.pem() + otherHost.pem());

            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = "test".toCharArray();
            for (var e : Map.of("api", api, "other-host", otherHost, "foreign", foreign).entrySet()) {
                ks.setKeyEntry(e.getKey(), e.getValue().key(), pw, new Certificate[] {e.getValue().certificate()});
            }
            // SunX509 names entries by their plain alias, which the switch hands out.
            KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
            kmf.init(ks, pw);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(new KeyManager[] {new Switch((X509ExtendedKeyManager) kmf.getKeyManagers()[0])}, null, null);

            server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            server.setHttpsConfigurator(new HttpsConfigurator(tls));
            server.createContext("/alarms", exchange -> {
                AUTHORIZATIONS.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
                try (InputStream in = exchange.getRequestBody()) {
                    ALARMS.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            server.start();
            return Map.of(
                    "cam.replication.primary.port", Integer.toString(closedPort()),
                    "cam.replication.secondary.port", Integer.toString(closedPort()),
                    "cam.replication.alarm-webhook",
                    "https://127.0.0.1:" + server.getAddress().getPort() + "/alarms",
                    "cam.replication.alarm-webhook-token", TOKEN,
                    "quarkus.tls.management.trust-store.pem.certs", pem.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
        try {
            Files.deleteIfExists(dir.resolve("trusted.pem"));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A loopback port nothing listens on: the monitor's connections are refused at once. */
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Presents the certificate named by {@link #serving} and records it. */
    private static final class Switch extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;

        Switch(X509ExtendedKeyManager keys) {
            this.keys = keys;
        }

        private String current() {
            String alias = serving;
            PRESENTED.add(alias);
            return alias;
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return current();
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return current();
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return keys.getServerAliases(keyType, issuers);
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return keys.getClientAliases(keyType, issuers);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }
    }
}
