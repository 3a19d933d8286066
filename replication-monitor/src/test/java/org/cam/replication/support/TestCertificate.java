package org.cam.replication.support;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.CertificateEncodingException;
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
public record TestCertificate(X509Certificate certificate, PrivateKey key) {

    public static TestCertificate create(String dnsName, String ipAddress) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(256);
            KeyPair kp = g.generateKeyPair();
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=" + dnsName);
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(subject,
                    BigInteger.valueOf(System.nanoTime()), Date.from(now.minus(Duration.ofMinutes(5))),
                    Date.from(now.plus(Duration.ofDays(1))), subject, kp.getPublic());
            GeneralName dns = new GeneralName(GeneralName.dNSName, dnsName);
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(ipAddress == null
                    ? new GeneralName[] {dns}
                    : new GeneralName[] {dns, new GeneralName(GeneralName.iPAddress, ipAddress)}));
            X509Certificate cert = new JcaX509CertificateConverter()
                    .getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate())));
            return new TestCertificate(cert, kp.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The certificate as a PEM block, as in a client's trust file. */
    public String pem() {
        try {
            return "-----BEGIN CERTIFICATE-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(certificate.getEncoded()) + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }
}
