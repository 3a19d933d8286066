package org.cam.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** generate-secrets.sh makes every key the templates list, in the formats the services read; nothing is committed. */
class SecretsTest {

    private final Manifests secrets = Workspace.get().render("secrets");

    private Map<String, String> data(String secret) {
        JsonNode s = secrets.find("Secret", secret).orElseThrow(() -> new AssertionError("no Secret " + secret));
        Map<String, String> out = new TreeMap<>();
        s.path("data").fields().forEachRemaining(e -> out.put(e.getKey(),
                new String(Base64.getMimeDecoder().decode(e.getValue().asText()), StandardCharsets.ISO_8859_1)));
        return out;
    }

    @Test
    void everyTemplateKeyIsGeneratedWithAValue() throws IOException {
        Path templates = Workspace.get().deployDir.resolve("kubernetes/secrets/templates");
        try (Stream<Path> s = Files.list(templates)) {
            for (Path t : s.filter(p -> p.toString().endsWith(".env.template")).toList()) {
                String secret = t.getFileName().toString().replace(".env.template", "");
                Set<String> keys = new TreeSet<>();
                for (String line : Files.readAllLines(t)) {
                    if (!line.isBlank() && !line.startsWith("#")) {
                        assertThat(line).as("templates carry no values: " + t).endsWith("=");
                        keys.add(line.substring(0, line.indexOf('=')));
                    }
                }
                Map<String, String> data = data(secret);
                assertThat(data.keySet()).as(secret).isEqualTo(keys);
                assertThat(data.values()).as(secret).allSatisfy(v -> assertThat(v).isNotBlank());
            }
        }
    }

    @Test
    void keysAndCertificatesAreInTheFormatsTheServicesRead() throws Exception {
        Map<String, String> ticket = data("cam-ticket-keys");
        KeyFactory ed = KeyFactory.getInstance("Ed25519");
        ed.generatePrivate(new PKCS8EncodedKeySpec(pem(ticket.get("ticket-private.pem"))));
        ed.generatePublic(new X509EncodedKeySpec(pem(ticket.get("ticket-public.pem"))));

        Map<String, String> jwt = data("cam-jwt");
        KeyFactory rsa = KeyFactory.getInstance("RSA");
        rsa.generatePrivate(new PKCS8EncodedKeySpec(pem(jwt.get("jwt-private.pem"))));
        rsa.generatePublic(new X509EncodedKeySpec(pem(jwt.get("jwt-public.pem"))));

        String ksPassword = data("cam-management").get("CAM_MANAGEMENT_TLS_KEYSTORE_PASSWORD");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(new ByteArrayInputStream(data("cam-management-tls").get("tls.p12").getBytes(StandardCharsets.ISO_8859_1)),
                ksPassword.toCharArray());
        X509Certificate cert = (X509Certificate) ks.getCertificate(ks.aliases().nextElement());
        assertThat(cert.getSubjectAlternativeNames().stream().map(l -> l.get(1).toString()).toList())
                .contains("management-api.cam.svc", "management-api");
        X509Certificate ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
                new ByteArrayInputStream(data("cam-ca").get("ca.crt").getBytes(StandardCharsets.ISO_8859_1)));
        cert.verify(ca.getPublicKey());

        assertThat(data("cam-ca")).containsOnlyKeys("ca.crt");

        assertThat(data("cam-replication-admin").get("CAM_REPLICATION_ADMIN_PASSWORD_HASH"))
                .matches("\\$2[aby]\\$1[0-9]\\$[./A-Za-z0-9]{53}");
        assertThat(Base64.getDecoder().decode(data("cam-discovery").get("CAM_DISCOVERY_SITE_KEY"))).hasSizeBetween(16, 64);
        assertThat(Base64.getDecoder().decode(data("cam-management").get("CAM_MANAGEMENT_SECRETS_KEY"))).hasSize(32);
        assertThat(secrets.find("Secret", "cam-broker-tls").orElseThrow().path("type").asText())
                .isEqualTo("kubernetes.io/tls");
    }

    @Test
    void twoRunsNeverShareAValue() throws IOException {
        Path other = Files.createTempDirectory("cam-secrets-2");
        try {
            Workspace.get().generateSecrets(other);
            String a = Files.readString(other.resolve("cam-db.env"));
            assertThat(a).doesNotContain(data("cam-db").get("CAM_DB_PASSWORD"));
            assertThat(Files.readString(other.resolve("ticket-private.pem")))
                    .isNotEqualTo(data("cam-ticket-keys").get("ticket-private.pem"));
        } finally {
            Workspace.deleteTree(other);
        }
    }

    @Test
    void noSecretValueIsCommittedAndTheGeneratedFolderIsIgnored() throws IOException {
        Path deploy = Workspace.get().deployDir;
        assertThat(Files.readString(deploy.resolve(".gitignore"))).contains("kubernetes/secrets/generated/");
        try (Stream<Path> s = Files.walk(deploy.resolve("kubernetes"))) {
            List<Path> files = s.filter(Files::isRegularFile)
                    .filter(p -> !p.toString().contains("/secrets/generated/")).toList();
            for (Path f : files) {
                String text = Files.readString(f);
                assertThat(text).as(f.toString()).doesNotContain("PRIVATE KEY-----").doesNotContain("kind: Secret");
            }
        }
    }

    private static byte[] pem(String text) {
        return Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
    }
}
