package org.cam.management.common;

import org.cam.management.tls.SelfSignedKeyStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
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
        assertThat(ks.getKey(SelfSignedKeyStore.ALIAS, "pw".toCharArray())).isNotNull();
    }
}
