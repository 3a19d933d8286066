package org.cam.replication.alarm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/** The certificates of a PEM file (one or more) as an in-memory trust store for the REST client. */
final class PemTrustStore {

    /**
     * The REST client serialises the store before Vert.x reads it back, which needs some password; nothing secret is
     * in it.
     */
    static final String PASSWORD = "trust";

    private PemTrustStore() {
    }

    /** Fails, naming the file, when it is unreadable or holds no certificate: start-up must not go on without trust. */
    static KeyStore load(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalStateException("no certificate in " + file);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate c : certs) {
                store.setCertificateEntry("trusted-" + i++, c);
            }
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read trusted certificates from " + file + ": " + e, e);
        }
    }
}
