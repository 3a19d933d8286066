package org.cam.protocol.rfb;

import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.cam.protocol.ProtocolException;

/**
 * Decides whether an RFB server's VeNCrypt X509 certificate is the right one: equal to the target's pinned SHA-256
 * fingerprint, or chaining to the target's CA (or the caller's) with the target's host among its names. The TLS
 * handshake itself accepts any certificate; this check runs after it and before a single credential byte is sent,
 * which is as strong (the server proved it holds the key of the certificate checked) and lets one client serve
 * targets with different trust. Shared by the broker's device handshake and management-api's target probe, which
 * must trust exactly the same servers before either sends them a credential.
 */
public final class DeviceTls {

    private DeviceTls() {
    }

    /** Parses PEM certificates (any number); an empty list for null. */
    public static List<X509Certificate> certificates(String pem) throws GeneralSecurityException {
        List<X509Certificate> out = new ArrayList<>();
        if (pem == null || pem.isBlank()) {
            return out;
        }
        Collection<? extends Certificate> all = CertificateFactory.getInstance("X.509")
                .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
        for (Certificate c : all) {
            out.add((X509Certificate) c);
        }
        return out;
    }

    /** SHA-256 of the certificate's DER, lowercase hex. */
    public static String fingerprint(Certificate c) throws GeneralSecurityException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(c.getEncoded()));
    }

    /**
     * @param chain       the server's chain, leaf first
     * @param fingerprint pinned SHA-256 (hex, any case, colons allowed) or null
     * @param cas         CA certificates when not pinned
     * @throws ProtocolException when the certificate is not trusted, saying why
     */
    public static void verify(List<Certificate> chain, String host, String fingerprint, List<X509Certificate> cas)
            throws ProtocolException {
        if (chain == null || chain.isEmpty()) {
            throw new ProtocolException("device presented no certificate");
        }
        try {
            if (fingerprint != null) {
                String want = fingerprint.replace(":", "").toLowerCase(Locale.ROOT);
                String got = fingerprint(chain.get(0));
                if (!MessageDigest.isEqual(want.getBytes(StandardCharsets.US_ASCII),
                        got.getBytes(StandardCharsets.US_ASCII))) {
                    throw new ProtocolException("device certificate " + got + " does not match the pinned fingerprint");
                }
                return;
            }
            if (cas.isEmpty()) {
                throw new ProtocolException("no fingerprint or CA to check the device certificate against");
            }
            Set<TrustAnchor> anchors = new HashSet<>();
            for (X509Certificate ca : cas) {
                anchors.add(new TrustAnchor(ca, null));
            }
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            List<Certificate> path = new ArrayList<>(chain);
            path.removeIf(c -> c instanceof X509Certificate x && cas.contains(x));
            if (path.isEmpty()) {
                throw new ProtocolException("device certificate is the CA itself; pin its fingerprint instead");
            }
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509")
                    .generateCertPath(path), params);
            if (!names((X509Certificate) chain.get(0)).contains(normal(host))) {
                throw new ProtocolException("device certificate does not name " + host);
            }
        } catch (GeneralSecurityException e) {
            throw new ProtocolException("device certificate not trusted: " + e.getMessage());
        }
    }

    private static Set<String> names(X509Certificate c) throws GeneralSecurityException {
        Set<String> out = new HashSet<>();
        Collection<List<?>> sans = c.getSubjectAlternativeNames();
        if (sans != null) {
            for (List<?> san : sans) {
                // 2 = dNSName, 7 = iPAddress
                if ((Integer) san.get(0) == 2 || (Integer) san.get(0) == 7) {
                    out.add(normal(String.valueOf(san.get(1))));
                }
            }
        }
        return out;
    }

    private static String normal(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (h.matches("[0-9.]+") || h.contains(":")) {
            try {
                return InetAddress.getByName(h).getHostAddress();
            } catch (java.net.UnknownHostException e) {
                return h;
            }
        }
        return h;
    }
}
