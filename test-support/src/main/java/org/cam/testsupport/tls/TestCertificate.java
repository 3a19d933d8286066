package org.cam.testsupport.tls;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test certificate (EC P-256, one day) for one DNS name and optionally one IP address, like management-api's demo
 * certificate (which names localhost and 127.0.0.1): self-signed by {@link #create}, or issued by a test CA made with
 * {@link #authority} (for servers such as QEMU and Xvnc that load a CA, a certificate and a key as PEM files).
 */
public record TestCertificate(X509Certificate certificate, PrivateKey key) {

    /** The password of {@link #pkcs12()}. */
    public static final String PASSWORD = "test";

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** Self-signed server certificate. */
    public static TestCertificate create(String dnsName, String ipAddress) {
        KeyPair kp = keyPair();
        return new TestCertificate(build(dnsName, ipAddress, kp, null, false), kp.getPrivate());
    }

    /** A certificate authority (self-signed, may sign certificates). */
    public static TestCertificate authority(String name) {
        KeyPair kp = keyPair();
        return new TestCertificate(build(name, null, kp, null, true), kp.getPrivate());
    }

    /** A server certificate issued by this authority. */
    public TestCertificate issue(String dnsName, String ipAddress) {
        KeyPair kp = keyPair();
        return new TestCertificate(build(dnsName, ipAddress, kp, this, false), kp.getPrivate());
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(256);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate build(String name, String ipAddress, KeyPair kp, TestCertificate issuer,
                                         boolean ca) {
        try {
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=" + name);
            X500Name issuerName = issuer == null ? subject
                    : new X500Name(issuer.certificate().getSubjectX500Principal().getName());
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
                    BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(Duration.ofDays(1))), subject, kp.getPublic());
            if (ca) {
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                GeneralName dns = new GeneralName(GeneralName.dNSName, name);
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(ipAddress == null
                        ? new GeneralName[] {dns}
                        : new GeneralName[] {dns, new GeneralName(GeneralName.iPAddress, ipAddress)}));
            }
            PrivateKey signer = issuer == null ? kp.getPrivate() : issuer.key();
            return new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Key and certificate as a PKCS#12 key store (alias "server", password {@link #PASSWORD}). */
    public byte[] pkcs12() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", key, PASSWORD.toCharArray(), new Certificate[] {certificate});
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ks.store(out, PASSWORD.toCharArray());
            return out.toByteArray();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificate as a PEM block, as in a client's trust file. */
    public String pem() {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The private key as an unencrypted PKCS#8 PEM block. */
    public String keyPem() {
        return pem("PRIVATE KEY", key.getEncoded());
    }

    /** SHA-256 of the DER certificate, lower-case hex (how targets and devices pin certificates). */
    public String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TLS client context trusting exactly this certificate (or the certificates this authority issued). */
    public SSLContext trustingContext() {
        try {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("trusted", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + type + "-----\n";
    }
}
