package org.cam.discovery.support;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed server certificate (EC P-256, one day) for one DNS name and optionally one IP address, like
 * management-api's demo certificate (which names localhost and 127.0.0.1).
 */
public record TestCertificate(X509Certificate certificate, byte[] pkcs12) {

    public static final String PASSWORD = "test";

    public static TestCertificate create(String dnsName, String ipAddress) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(256);
            KeyPair kp = g.generateKeyPair();
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=" + dnsName);
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject,
                    BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(Duration.ofDays(1))), subject, kp.getPublic());
            GeneralName dns = new GeneralName(GeneralName.dNSName, dnsName);
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(ipAddress == null
                    ? new GeneralName[] {dns}
                    : new GeneralName[] {dns, new GeneralName(GeneralName.iPAddress, ipAddress)}));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", kp.getPrivate(), PASSWORD.toCharArray(), new Certificate[] {cert});
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ks.store(out, PASSWORD.toCharArray());
            return new TestCertificate(cert, out.toByteArray());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificate as a PEM block, as in a client's trust file. */
    public String pem() {
        try {
            return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(certificate.getEncoded()) + "\n-----END CERTIFICATE-----\n";
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
