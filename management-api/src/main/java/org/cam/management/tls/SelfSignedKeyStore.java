package org.cam.management.tls;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

/**
 * A self-signed server certificate (RSA 2048, SHA-256, two years) in a PKCS#12 file, for first starts and demos. The
 * certificate is also kept as PEM next to the key store ({@link #certificatePem}), so local services can trust exactly
 * it (discovery-service, replication-monitor) instead of trusting anything.
 */
public final class SelfSignedKeyStore {
    public static final String ALIAS = "management-api";

    private SelfSignedKeyStore() {
    }

    /** Where the certificate goes as PEM: next to the key store, {@code tls.p12} -> {@code tls.crt.pem}. */
    public static Path certificatePem(Path keyStore) {
        String name = keyStore.getFileName().toString().replaceFirst("(?i)\\.(p12|pfx)$", "");
        return keyStore.resolveSibling(name + ".crt.pem");
    }

    /**
     * Creates the key store when the file is missing; returns true when it did. Either way the certificate is
     * (re)written as PEM when that file is missing or differs, so key stores made before the PEM existed get one too.
     */
    public static boolean ensure(Path file, char[] password) {
        if (Files.exists(file)) {
            exportExisting(file, password);
            return false;
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair kp = g.generateKeyPair();
            X509Certificate cert = certificate(kp, InetAddress.getLocalHost().getHostName());
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(ALIAS, kp.getPrivate(), password, new Certificate[]{cert});
            Path tmp = Files.createTempFile(dir, "tls", ".p12");
            try (OutputStream out = Files.newOutputStream(tmp)) {
                ks.store(out, password);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            writePem(cert, certificatePem(file));
            System.out.println("management-api: generated a self-signed TLS certificate in " + file.toAbsolutePath()
                    + " (PEM for clients: " + certificatePem(file).toAbsolutePath() + ")");
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot generate a self-signed key store at " + file, e);
        }
    }

    /**
     * Best effort: a key store that cannot be read here (wrong password, no such alias) is Quarkus's to report at
     * start, and a read-only folder just means no PEM; neither must stop management-api from starting.
     */
    private static void exportExisting(Path file, char[] password) {
        Path pem = certificatePem(file);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file)) {
                ks.load(in, password);
            }
            Certificate cert = ks.getCertificate(ALIAS);
            if (cert == null) {
                return; // not one of ours: its owner distributes its certificate
            }
            String text = pem(cert);
            if (Files.exists(pem) && Files.readString(pem, StandardCharsets.US_ASCII).equals(text)) {
                return;
            }
            writePem(cert, pem);
            System.out.println("management-api: wrote the TLS certificate of " + file.toAbsolutePath() + " to "
                    + pem.toAbsolutePath());
        } catch (IOException | GeneralSecurityException e) {
            System.err.println("management-api: could not write the TLS certificate of " + file + " to " + pem
                    + ": " + e);
        }
    }

    /** Atomically, so a client starting at the same moment reads the old file or the new one, never half of one. */
    private static void writePem(Certificate cert, Path pem) throws IOException, GeneralSecurityException {
        Path tmp = Files.createTempFile(pem.toAbsolutePath().getParent(), "tls", ".pem");
        try {
            Files.writeString(tmp, pem(cert), StandardCharsets.US_ASCII);
            try {
                // A certificate is public: other local users' services may read it (createTempFile made it 0600).
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default
            }
            Files.move(tmp, pem, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    static String pem(Certificate cert) throws CertificateEncodingException {
        return "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, new byte[]{'\n'}).encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n";
    }

    static X509Certificate certificate(KeyPair kp, String hostname) throws Exception {
        Instant now = Instant.now();
        X500Name subject = new X500Name("CN=" + hostname + ",OU=management-api,O=CAM self-signed");
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject,
                new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofMinutes(5))),
                Date.from(now.plus(Duration.ofDays(730))), subject, kp.getPublic());
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.dNSName, hostname),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")}));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        return new JcaX509CertificateConverter()
                .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
    }
}
