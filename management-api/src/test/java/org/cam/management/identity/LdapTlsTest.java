package org.cam.management.identity;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldif.LDIFReader;
import com.unboundid.util.ssl.SSLUtil;
import com.unboundid.util.ssl.TrustAllTrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.cam.management.identity.ldap.LdapDirectory;
import org.cam.management.identity.ldap.LdapSettings;
import org.cam.management.support.InMemoryLdap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Real TLS against an in-memory directory, over LDAPS and StartTLS, with certificates from a CA of the test's own:
 * the directory's certificate must chain to the configured trust store and carry the name CAM connects to. A trusted
 * certificate issued for another name is refused. The directory is reached by the name "localhost" (on 127.0.0.1,
 * an ephemeral port): UnboundID waives the name check for a loopback IP literal, so an address would prove nothing.
 */
class LdapTlsTest {
    static final String HOST = "localhost";
    static KeyPair caKey;
    static X509Certificate ca;
    static Path caPem;
    InMemoryDirectoryServer server;

    @BeforeAll
    static void ca() throws Exception {
        caKey = keyPair();
        X500Name name = new X500Name("CN=CAM test directory CA");
        JcaX509v3CertificateBuilder b = builder(name, name, caKey);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        ca = sign(b, caKey);
        caPem = Files.createTempFile("cam-ldap-ca", ".pem");
        Files.writeString(caPem, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(ca.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
    }

    static KeyPair keyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair subjectKey) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                subjectKey.getPublic());
    }

    static X509Certificate sign(JcaX509v3CertificateBuilder b, KeyPair signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate())));
    }

    /** Starts the directory with a CA-issued certificate for {@code san}: LDAPS and plain LDAP with StartTLS. */
    void start(GeneralName san) throws Exception {
        KeyPair key = keyPair();
        JcaX509v3CertificateBuilder b = builder(new X500Name("CN=CAM test directory CA"),
                new X500Name("CN=directory"), key);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
        X509Certificate leaf = sign(b, caKey);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("directory", key.getPrivate(), "pw".toCharArray(), new X509Certificate[] {leaf, ca});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        SSLUtil serverSsl = new SSLUtil(kmf.getKeyManagers(),
                new javax.net.ssl.TrustManager[] {new TrustAllTrustManager()});
        SSLUtil clientSsl = new SSLUtil(new TrustAllTrustManager());
        InetAddress at = InetAddress.getByName("127.0.0.1");
        InMemoryDirectoryServerConfig cfg = new InMemoryDirectoryServerConfig("dc=cam,dc=test");
        cfg.addAdditionalBindCredentials("cn=admin,dc=cam,dc=test", "camadmin");
        cfg.setListenerConfigs(
                InMemoryListenerConfig.createLDAPSConfig("ldaps", at, 0, serverSsl.createSSLServerSocketFactory(),
                        clientSsl.createSSLSocketFactory()),
                InMemoryListenerConfig.createLDAPConfig("ldap", at, 0, serverSsl.createSSLSocketFactory()));
        server = new InMemoryDirectoryServer(cfg);
        server.importFromLDIF(true, new LDIFReader(new ByteArrayInputStream(
                InMemoryLdap.demoLdif().getBytes(StandardCharsets.UTF_8))));
        server.startListening();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.shutDown(true);
        }
    }

    LdapDirectory directory(String url, boolean startTls, Optional<String> trustStore) {
        LdapSettings demo = LdapSettings.demo(url, Map.of("cam-admins", "admin"));
        return new LdapDirectory(demo.withTls(startTls, trustStore));
    }

    LdapDirectory ldaps(Optional<String> trustStore) {
        return directory("ldaps://" + HOST + ":" + server.getListenPort("ldaps"), false, trustStore);
    }

    LdapDirectory startTls(Optional<String> trustStore) {
        return directory("ldap://" + HOST + ":" + server.getListenPort("ldap"), true, trustStore);
    }

    @Test
    void theRightNameAndTheConfiguredCaAreAccepted() throws Exception {
        start(new GeneralName(GeneralName.dNSName, HOST));
        assertThat(ldaps(Optional.of(caPem.toString())).authenticate("ada", "camdemo")).isPresent();
        assertThat(startTls(Optional.of(caPem.toString())).authenticate("ada", "camdemo")).isPresent();
        // and nothing is trusted that the trust store does not vouch for
        assertThatThrownBy(() -> ldaps(Optional.empty()).authenticate("ada", "camdemo"))
                .isInstanceOf(LDAPException.class);
        assertThatThrownBy(() -> startTls(Optional.empty()).authenticate("ada", "camdemo"))
                .isInstanceOf(LDAPException.class);
    }

    @Test
    void aTrustedCertificateForAnotherNameIsRefused() throws Exception {
        start(new GeneralName(GeneralName.dNSName, "directory.elsewhere.test"));
        assertThatThrownBy(() -> ldaps(Optional.of(caPem.toString())).authenticate("ada", "camdemo"))
                .isInstanceOf(LDAPException.class);
        assertThatThrownBy(() -> startTls(Optional.of(caPem.toString())).authenticate("ada", "camdemo"))
                .isInstanceOf(LDAPException.class);
    }
}
