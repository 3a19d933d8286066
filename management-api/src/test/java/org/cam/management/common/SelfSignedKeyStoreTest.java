package org.cam.management.common;

import org.cam.management.tls.SelfSignedKeyStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;

import static org.assertj.core.api.Assertions.assertThat;

class SelfSignedKeyStoreTest {
    @Test
    void generatesOnceAndKeepsAnExistingOne(@TempDir Path dir) throws Exception {
        Path p12 = dir.resolve("sub/tls.p12");
        assertThat(SelfSignedKeyStore.ensure(p12, "pw".toCharArray())).isTrue();
        byte[] first = Files.readAllBytes(p12);
        assertThat(SelfSignedKeyStore.ensure(p12, "pw".toCharArray())).isFalse();
        assertThat(Files.readAllBytes(p12)).isEqualTo(first);

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(p12)) {
            ks.load(in, "pw".toCharArray());
        }
        X509Certificate cert = (X509Certificate) ks.getCertificate(SelfSignedKeyStore.ALIAS);
        cert.checkValidity();
        cert.verify(cert.getPublicKey());   // self-signed
        assertThat(cert.getSubjectAlternativeNames()).anySatisfy(san -> assertThat(san.get(1)).isEqualTo("127.0.0.1"));
        assertThat(cert.getSubjectAlternativeNames()).anySatisfy(san -> assertThat(san.get(1)).isEqualTo("localhost"));
        assertThat(ks.getKey(SelfSignedKeyStore.ALIAS, "pw".toCharArray())).isNotNull();

        // The same certificate as PEM next to it, for clients that trust exactly it.
        Path pem = dir.resolve("sub/tls.crt.pem");
        assertThat(SelfSignedKeyStore.certificatePem(p12)).isEqualTo(pem);
        assertThat(readPem(pem)).isEqualTo(cert);
    }

    @Test
    void anExistingKeyStoreGetsItsPemWrittenOrRefreshed(@TempDir Path dir) throws Exception {
        Path p12 = dir.resolve("tls.p12");
        Path pem = SelfSignedKeyStore.certificatePem(p12);
        SelfSignedKeyStore.ensure(p12, "pw".toCharArray());
        X509Certificate cert = readPem(pem);

        // A key store made before the PEM existed (the demo's, kept across upgrades).
        Files.delete(pem);
        assertThat(SelfSignedKeyStore.ensure(p12, "pw".toCharArray())).isFalse();
        assertThat(readPem(pem)).isEqualTo(cert);

        // A stale PEM (another key store's) is replaced by the key store's certificate.
        Path other = dir.resolve("other.p12");
        SelfSignedKeyStore.ensure(other, "pw".toCharArray());
        Files.copy(SelfSignedKeyStore.certificatePem(other), pem, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        assertThat(readPem(pem)).isNotEqualTo(cert);
        SelfSignedKeyStore.ensure(p12, "pw".toCharArray());
        assertThat(readPem(pem)).isEqualTo(cert);

        // Wrong password: no PEM change, no exception (Quarkus reports the key store itself at start).
        Files.delete(pem);
        assertThat(SelfSignedKeyStore.ensure(p12, "wrong".toCharArray())).isFalse();
        assertThat(pem).doesNotExist();
    }

    private static X509Certificate readPem(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }
}
