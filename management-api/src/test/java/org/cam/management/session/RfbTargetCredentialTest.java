package org.cam.management.session;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import java.util.HashMap;
import java.util.Map;
import org.cam.management.common.SecretBox;
import org.cam.management.support.Api;
import org.cam.management.target.Target;
import org.cam.management.target.service.TargetService;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFB-endpoint targets with a credential and TLS trust: stored encrypted, never answered, handed to the broker in the
 * claim only; and the clipboard policy of grants and assignments reaching the claim.
 */
@QuarkusTest
class RfbTargetCredentialTest {

    private static final String FINGERPRINT = "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
            + "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89";
    private static final String PEM = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";

    @Inject
    EntityManager em;

    @Inject
    SecretBox secrets;

    @Inject
    TargetService targets;

    @BeforeEach
    void directoryImported() {
        Api.syncLdap();
    }

    private static Map<String, Object> target(String name) {
        Map<String, Object> t = new HashMap<>();
        t.put("name", name);
        t.put("host", "127.0.82.9");
        t.put("port", 22999);
        t.put("accessPolicy", "SHARED");
        return t;
    }

    private static JsonPath claimFor(io.restassured.specification.RequestSpecification as, long target) {
        return claimAnswer(as, target).then().statusCode(200).extract().jsonPath();
    }

    private static io.restassured.response.Response claimAnswer(io.restassured.specification.RequestSpecification as,
            long target) {
        String id = SessionTest.open(as, target, "view").then().statusCode(201).extract().jsonPath()
                .getString("sessionId");
        return SessionTest.claim(id, "broker-cred");
    }

    @Test
    void theCredentialIsStoredEncryptedNeverAnsweredAndOnlyClaimed() {
        Map<String, Object> body = target(Api.unique("cred"));
        body.put("credential", Map.of("password", "s3cret-vnc"));
        body.put("tlsFingerprint", FINGERPRINT);
        String created = Api.admin().body(body).post("/api/v1/targets").then().statusCode(201)
                .body("hasCredential", equalTo(true))
                .body("tlsFingerprint", equalTo(FINGERPRINT.replace(":", "").toLowerCase()))
                .extract().asString();
        assertThat(created).doesNotContain("s3cret").doesNotContain("password");
        long id = JsonPath.from(created).getLong("id");
        assertThat(Api.admin().get("/api/v1/targets/" + id).asString()).doesNotContain("s3cret");
        String stored = QuarkusTransaction.requiringNew().call(() -> (String) em
                .createNativeQuery("SELECT credential_enc FROM target WHERE id = ?1").setParameter(1, id)
                .getSingleResult());
        assertThat(stored).startsWith("v2:").doesNotContain("s3cret");   // bound to this target's row
        assertThat(Api.admin().queryParam("objectType", "target").queryParam("objectId", id).get("/api/v1/audit-events")
                .asString()).contains("credential=password").doesNotContain("s3cret");

        JsonPath claim = claimFor(Api.admin(), id);
        assertThat(claim.getString("device.auth")).isEqualTo("VNC");
        assertThat(claim.getString("device.password")).isEqualTo("s3cret-vnc");
        assertThat(claim.getString("device.tlsFingerprint")).isEqualTo(FINGERPRINT.replace(":", "").toLowerCase());
        assertThat(claim.getString("clipboard")).isEqualTo("BOTH");

        // An update as read (no credential) keeps it; a username makes it VeNCrypt Plain; clearCredential removes it.
        JsonPath read = Api.admin().get("/api/v1/targets/" + id).then().extract().jsonPath();
        Map<String, Object> update = target(read.getString("name"));
        update.put("tlsCaPem", PEM);
        update.put("version", read.getLong("version"));
        long v = Api.admin().body(update).put("/api/v1/targets/" + id).then().statusCode(200)
                .body("hasCredential", equalTo(true)).body("tlsCaPem", equalTo(PEM)).extract().jsonPath()
                .getLong("version");
        assertThat(claimFor(Api.admin(), id).getString("device.password")).isEqualTo("s3cret-vnc");
        update.put("credential", Map.of("username", "operator", "password", "plain-pass"));
        update.put("version", v);
        v = Api.admin().body(update).put("/api/v1/targets/" + id).then().statusCode(200).extract().jsonPath()
                .getLong("version");
        JsonPath plain = claimFor(Api.admin(), id);
        assertThat(plain.getString("device.auth")).isEqualTo("PLAIN");
        assertThat(plain.getString("device.username")).isEqualTo("operator");
        assertThat(plain.getString("device.password")).isEqualTo("plain-pass");
        assertThat(plain.getString("device.tlsCaPem")).isEqualTo(PEM);
        update.remove("credential");
        update.put("clearCredential", true);
        update.put("version", v);
        Api.admin().body(update).put("/api/v1/targets/" + id).then().statusCode(200)
                .body("hasCredential", equalTo(false));
        JsonPath none = claimFor(Api.admin(), id);
        assertThat(none.getString("device.auth")).isEqualTo("NONE");
        assertThat(none.getString("device.password")).isNull();
    }

    /**
     * A credential is bound to its target: copied into another target's row by someone who can write the database
     * but has no key, it opens nothing there (the claim is refused, not a 500); one stored before the binding is
     * re-encrypted bound at start-up and keeps working.
     */
    @Test
    void aCredentialWorksOnlyInItsOwnRow() {
        Map<String, Object> a = target(Api.unique("bound-a"));
        a.put("credential", Map.of("password", "pass-of-a"));
        long idA = Api.admin().body(a).post("/api/v1/targets").then().statusCode(201).extract().jsonPath().getLong("id");
        Map<String, Object> b = target(Api.unique("bound-b"));
        b.put("credential", Map.of("password", "pass-of-b"));
        long idB = Api.admin().body(b).post("/api/v1/targets").then().statusCode(201).extract().jsonPath().getLong("id");
        String storedA = QuarkusTransaction.requiringNew().call(() -> Target.<Target>findById(idA).credentialEnc);
        QuarkusTransaction.requiringNew().run(() -> Target.update("credentialEnc = ?1 where id = ?2", storedA, idB));
        assertThat(claimAnswer(Api.admin(), idB).statusCode()).isEqualTo(409);

        // stored before the binding (v1): re-encrypted bound, and the claim gets the password
        String legacy = secrets.encrypt("pass-of-b");
        QuarkusTransaction.requiringNew().run(() -> Target.update("credentialEnc = ?1 where id = ?2", legacy, idB));
        assertThat(targets.bindCredentialsToTheirRows()).isGreaterThanOrEqualTo(1);
        assertThat(QuarkusTransaction.requiringNew().call(() -> Target.<Target>findById(idB).credentialEnc))
                .startsWith("v2:");
        assertThat(claimFor(Api.admin(), idB).getString("device.password")).isEqualTo("pass-of-b");
    }

    @Test
    void badCredentialsAndTrustAreFourHundredsNamingTheField() {
        Map<String, Object> body = target(Api.unique("badcred"));
        body.put("tlsFingerprint", "ab:cd");
        Api.admin().body(body).post("/api/v1/targets").then().statusCode(400).body("field", equalTo("tlsFingerprint"));
        body.remove("tlsFingerprint");
        body.put("tlsCaPem", "not a certificate");
        Api.admin().body(body).post("/api/v1/targets").then().statusCode(400).body("field", equalTo("tlsCaPem"));
        body.remove("tlsCaPem");
        body.put("credential", Map.of("username", "u"));
        Api.admin().body(body).post("/api/v1/targets").then().statusCode(400)
                .body("field", equalTo("password"));
    }

    @Test
    void theClipboardPolicyOfGrantsAndAssignmentsReachesTheClaim() {
        long t = SessionTest.target("SHARED");
        String tag = Api.unique("clip");
        long set = Api.createSet(tag + "-set", t);
        String user = Api.unique("clipuser");
        long userId = Api.createUser(user, "clip-pass-1", "user");
        long team = Api.admin().body(Map.of("name", tag + "-team")).post("/api/v1/groups").then().statusCode(201)
                .extract().jsonPath().getLong("id");
        Api.admin().put("/api/v1/groups/" + team + "/members/" + userId).then().statusCode(204);
        JsonPath grant = Api.admin().body(Map.of("groupId", team, "targetSetId", set, "accessLevel", "VIEW_ONLY",
                "clipboard", "NONE")).post("/api/v1/grants").then().statusCode(201)
                .body("clipboard", equalTo("NONE")).extract().jsonPath();
        var as = Api.as(user, "clip-pass-1");
        assertThat(claimFor(as, t).getString("clipboard")).isEqualTo("NONE");

        // A direct assignment with TO_TARGET: the most permissive rule wins.
        Api.admin().body(Map.of("userId", userId, "targetId", t, "accessLevel", "VIEW_ONLY", "clipboard",
                "TO_TARGET")).post("/api/v1/assignments").then().statusCode(201).body("clipboard", equalTo("TO_TARGET"));
        assertThat(claimFor(as, t).getString("clipboard")).isEqualTo("TO_TARGET");

        Api.admin().body(Map.of("accessLevel", "VIEW_ONLY", "clipboard", "BOTH", "version", grant.getLong("version")))
                .put("/api/v1/grants/" + grant.getLong("id")).then().statusCode(200).body("clipboard", equalTo("BOTH"));
        assertThat(claimFor(as, t).getString("clipboard")).isEqualTo("BOTH");

        Api.admin().body(Map.of("groupId", team, "targetSetId", set, "accessLevel", "VIEW_ONLY", "clipboard",
                "SOMETIMES")).post("/api/v1/grants").then().statusCode(400);
    }
}
