package org.cam.management.identity;

import org.cam.management.identity.ldap.LdapDirectory;
import org.cam.management.identity.ldap.LdapSettings;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Against the real OpenLDAP slapd of scripts/infra.sh (CAM_LDAP_URL, default ldap://127.0.0.1:13389): binds as
 * the user, resolves nested groups, maps roles, snapshots for sync. Needs `scripts/infra.sh up`.
 */
class SlapdDirectoryTest {
    private static final Map<String, String> MAPPING = Map.of("cam-admins", "admin", "cam-operators", "operator",
            "cam-users", "user");

    private final LdapDirectory slapd = new LdapDirectory(LdapSettings.demo(
            System.getenv().getOrDefault("CAM_LDAP_URL", "ldap://127.0.0.1:13389"), MAPPING));

    @Test
    void bindsAsTheUserAndMapsRolesThroughNestedGroups() throws Exception {
        assertThat(slapd.authenticate("ada", "camdemo")).hasValueSatisfying(a -> {
            assertThat(a.dn()).isEqualTo("uid=ada,ou=people,dc=cam,dc=test");
            assertThat(a.roles()).containsExactly("admin");
            assertThat(a.email()).isEqualTo("ada@cam.test");
        });
        assertThat(slapd.authenticate("otto", "camdemo").orElseThrow().roles()).containsExactly("operator");
        var uma = slapd.authenticate("uma", "camdemo").orElseThrow();
        assertThat(uma.directGroups()).containsExactly("lab-team");
        assertThat(uma.groups()).containsExactlyInAnyOrder("lab-team", "cam-users");
        assertThat(uma.nesting()).containsEntry("lab-team", java.util.Set.of("cam-users"));
        assertThat(uma.roles()).containsExactly("user");
        assertThat(slapd.authenticate("vic", "camdemo").orElseThrow().roles()).isEmpty();
    }

    @Test
    void refusesWrongAndEmptyPasswordsAndUnknownUsers() throws Exception {
        assertThat(slapd.authenticate("ada", "wrong")).isEmpty();
        assertThat(slapd.authenticate("ada", "")).isEmpty();   // would be an anonymous bind
        assertThat(slapd.authenticate("nobody", "camdemo")).isEmpty();
        assertThat(slapd.authenticate("*", "camdemo")).isEmpty();   // filter metacharacters are escaped
    }

    @Test
    void snapshotHasTheDemoDirectory() throws Exception {
        LdapDirectory.Snapshot s = slapd.snapshot();
        assertThat(s.users()).containsKeys("ada", "otto", "uma", "vic");
        assertThat(s.groups()).containsKeys("cam-admins", "cam-operators", "cam-users", "lab-team");
        assertThat(s.groups().get("cam-users").memberGroups()).containsExactly("lab-team");
        assertThat(s.users().get("uma").groups()).containsExactlyInAnyOrder("lab-team", "cam-users");
        assertThat(s.users().get("vic").groups()).isEmpty();
        slapd.ping();
    }
}
