package org.cam.simulator.tls;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.spec.ECGenParameterSpec;
import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A device's self-signed TLS certificate, made at first start (EC P-256: generating 1,000 RSA keys would take
 * minutes on two cores). With a state directory it is kept as PEM files, so the SHA-256 fingerprint the
 * device advertises stays the same across restarts and a manager's pin keeps matching.
 */
public final class DeviceCertificate {

    private final String certificatePem;
    private final String privateKeyPem;
    private final byte[] fingerprint;
    private final X509Certificate certificate;
    private final PrivateKey privateKey;

    private DeviceCertificate(String certificatePem, String privateKeyPem) throws IOException {
        this.certificatePem = certificatePem;
        this.privateKeyPem = privateKeyPem;
        try (PEMParser p = new PEMParser(new StringReader(certificatePem));
             PEMParser k = new PEMParser(new StringReader(privateKeyPem))) {
            X509CertificateHolder h = (X509CertificateHolder) p.readObject();
            this.fingerprint = MessageDigest.getInstance("SHA-256").digest(h.getEncoded());
            this.certificate = new JcaX509CertificateConverter().getCertificate(h);
            this.privateKey = new JcaPEMKeyConverter().getPrivateKey((PrivateKeyInfo) k.readObject());
        } catch (NoSuchAlgorithmException | CertificateException e) {
            throw new IOException("unreadable certificate or key: " + e.getMessage(), e);
        }
    }

    /**
     * A key manager that always presents this certificate. Vert.x's PEM options would build an encrypted
     * PKCS#12 store per server (about 25 ms of PBE each, on one blocking thread): 1,000 devices then take half
     * a minute to start.
     */
    public X509KeyManager keyManager() {
        X509Certificate[] chain = {certificate};
        return new X509ExtendedKeyManager() {
            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return null;
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return new String[] {"device"};
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return "EC".equals(keyType) ? "device" : null;
            }

            @Override
            public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
                return "EC".equals(keyType) ? "device" : null;
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return chain.clone();
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return privateKey;
            }
        };
    }

    /** Loads {@code dir/cert.pem} and {@code dir/key.pem}, or makes and stores them; {@code dir} null: memory only. */
    public static DeviceCertificate loadOrCreate(Path dir, String commonName, String ipAddress) throws IOException {
        if (dir != null) {
            Path cert = dir.resolve("cert.pem");
            Path key = dir.resolve("key.pem");
            if (Files.exists(cert) && Files.exists(key)) {
                return new DeviceCertificate(Files.readString(cert), Files.readString(key));
            }
            DeviceCertificate c = create(commonName, ipAddress);
            Files.createDirectories(dir);
            Files.writeString(key, c.privateKeyPem);
            ownerOnly(key);
            Files.writeString(cert, c.certificatePem);
            return c;
        }
        return create(commonName, ipAddress);
    }

    /** A new key pair and certificate valid for ten years. */
    public static DeviceCertificate create(String commonName, String ipAddress) throws IOException {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = g.generateKeyPair();
            X500Name name = new X500Name("CN=" + commonName + ",O=CAM device simulator");
            Instant now = Instant.now();
            JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new java.security.SecureRandom()).abs().add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(3650))), name,
                    kp.getPublic());
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, ipAddress), new GeneralName(GeneralName.dNSName, commonName)}));
            X509CertificateHolder h = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(kp.getPrivate()));
            return new DeviceCertificate(pem(h), pem(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(
                    kp.getPrivate(), null).generate()));
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot create certificate: " + e.getMessage(), e);
        }
    }

    /** chmod 600 where the file system supports it. */
    public static void ownerOnly(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing to tighten
        }
    }

    private static String pem(Object o) throws IOException {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        }
        return sw.toString();
    }

    public String certificatePem() {
        return certificatePem;
    }

    public String privateKeyPem() {
        return privateKeyPem;
    }

    /** SHA-256 of the DER certificate. */
    public byte[] fingerprint() {
        return fingerprint.clone();
    }

    /** The fingerprint as lower-case hex. */
    public String fingerprintHex() {
        return HexFormat.of().formatHex(fingerprint);
    }

    byte[] pemBytes() {
        return certificatePem.getBytes(StandardCharsets.US_ASCII);
    }
}
