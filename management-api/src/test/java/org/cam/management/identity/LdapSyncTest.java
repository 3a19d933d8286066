package org.cam.management.identity;

import com.unboundid.ldap.sdk.Modification;
import com.unboundid.ldap.sdk.ModificationType;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import org.cam.management.support.Api;
import org.cam.management.support.InMemoryLdap;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

/** Import from the in-memory directory: dry run, apply, nested groups, removal disables, return re-enables. */
@QuarkusTest
class LdapSyncTest {
    private static final String WALT_DN = "uid=walt,ou=people,dc=cam,dc=test";

    @Test
    void dryRunThenApplyThenRemovalDisables() throws Exception {
        Api.syncLdap();   // the demo users are in; now add one more to the directory
        InMemoryLdap.server().add("dn: " + WALT_DN, "objectClass: inetOrgPerson", "uid: walt", "cn: Walt New",
                "sn: New", "userPassword: camdemo");
        InMemoryLdap.server().modify("cn=lab-team,ou=groups,dc=cam,dc=test",
                new Modification(ModificationType.ADD, "member", WALT_DN));
        try {
            JsonPath dry = Api.admin().queryParam("dryRun", true).post("/api/v1/ldap/sync").then().statusCode(200)
                    .extract().jsonPath();
            assertThat(dry.getBoolean("dryRun")).isTrue();
            assertThat(dry.getList("usersCreated", String.class)).containsExactly("walt");
            assertThat(dry.getList("membershipChanges", String.class)).contains("walt +lab-team");
            // the dry run changed nothing
            assertThat(users("walt")).isEmpty();

            JsonPath applied = Api.admin().post("/api/v1/ldap/sync").then().statusCode(200).extract().jsonPath();
            assertThat(applied.getList("usersCreated", String.class)).containsExactly("walt");
            assertThat(users("walt")).hasSize(1);
            JsonPath walt = Api.admin().queryParam("q", "walt").get("/api/v1/users").then().extract().jsonPath();
            assertThat(walt.getList("items[0].groups", String.class)).containsExactly("lab-team");
            assertThat(walt.getList("items[0].roles", String.class)).containsExactly("user");   // nested: cam-users
            assertThat(walt.getString("items[0].displayName")).isEqualTo("Walt New");
            Api.admin().get("/api/v1/groups/" + Api.groupId("lab-team")).then()
                    .body("parents", org.hamcrest.Matchers.hasItem("cam-users"));

            // a second run has nothing to do
            JsonPath again = Api.admin().post("/api/v1/ldap/sync").then().statusCode(200).extract().jsonPath();
            assertThat(again.getList("usersCreated")).isEmpty();
            assertThat(again.getList("membershipChanges")).isEmpty();
        } finally {
            InMemoryLdap.server().modify("cn=lab-team,ou=groups,dc=cam,dc=test",
                    new Modification(ModificationType.DELETE, "member", WALT_DN));
            InMemoryLdap.server().delete(WALT_DN);
        }
        JsonPath gone = Api.admin().post("/api/v1/ldap/sync").then().statusCode(200).extract().jsonPath();
        assertThat(gone.getList("usersDisabled", String.class)).containsExactly("walt");
        JsonPath walt = Api.admin().queryParam("q", "walt").get("/api/v1/users").then().extract().jsonPath();
        assertThat(walt.getBoolean("items[0].enabled")).isFalse();   // disabled, not deleted
        Api.login("walt", "camdemo").then().statusCode(401);

        Api.admin().get("/api/v1/ldap/status").then().statusCode(200)
                .body("enabled", equalTo(true))
                .body("lastAppliedRun.usersDisabled", equalTo(1))
                .body("lastAppliedRun.outcome", equalTo("SUCCESS"));
        Api.admin().queryParam("action", "LDAP_SYNC").get("/api/v1/audit-events").then().statusCode(200)
                .body("items[0].details", org.hamcrest.Matchers.containsString("disabled=[walt]"));
    }

    @Test
    void userBackInTheDirectoryIsEnabledAgain() throws Exception {
        String dn = "uid=rita,ou=people,dc=cam,dc=test";
        InMemoryLdap.server().add("dn: " + dn, "objectClass: inetOrgPerson", "uid: rita", "cn: Rita", "sn: R",
                "userPassword: camdemo");
        Api.syncLdap();
        InMemoryLdap.server().delete(dn);
        Api.syncLdap();
        assertThat(users("rita").get(0).enabled()).isFalse();
        InMemoryLdap.server().add("dn: " + dn, "objectClass: inetOrgPerson", "uid: rita", "cn: Rita", "sn: R",
                "userPassword: camdemo");
        try {
            Api.syncLdap();
            assertThat(users("rita").get(0).enabled()).isTrue();
            Api.login("rita", "camdemo").then().statusCode(200);
        } finally {
            InMemoryLdap.server().delete(dn);
            Api.syncLdap();
        }
    }

    record U(String username, boolean enabled) {
    }

    private static List<U> users(String name) {
        JsonPath p = Api.admin().queryParam("q", name).get("/api/v1/users").then().statusCode(200).extract().jsonPath();
        List<String> names = p.getList("items.username", String.class);
        List<Boolean> enabled = p.getList("items.enabled", Boolean.class);
        return java.util.stream.IntStream.range(0, names.size()).filter(i -> names.get(i).equals(name))
                .mapToObj(i -> new U(names.get(i), enabled.get(i))).toList();
    }
}
