package org.cam.management.identity;

import com.unboundid.ldap.listener.InMemoryDirectoryServer;
import com.unboundid.ldap.listener.InMemoryDirectoryServerConfig;
import com.unboundid.ldap.listener.InMemoryListenerConfig;
import org.cam.management.config.ManagementConfig;
import org.cam.management.identity.ldap.LdapDirectory;
import org.cam.management.identity.ldap.LdapSettings;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/** posixGroup/memberUid directories and cyclic nesting, on an UnboundID in-memory server. */
class LdapDirectoryVariantsTest {
    private InMemoryDirectoryServer server;

    @BeforeEach
    void start() throws Exception {
        InMemoryDirectoryServerConfig cfg = new InMemoryDirectoryServerConfig("dc=example,dc=org");
        cfg.setSchema(null);   // posixGroup and friends without loading the NIS schema
        cfg.setListenerConfigs(InMemoryListenerConfig.createLDAPConfig("ldap", InetAddress.getLoopbackAddress(), 0, null));
        server = new InMemoryDirectoryServer(cfg);
        server.add("dn: dc=example,dc=org", "objectClass: domain", "dc: example");
        server.add("dn: ou=users,dc=example,dc=org", "objectClass: organizationalUnit", "ou: users");
        server.add("dn: ou=groups,dc=example,dc=org", "objectClass: organizationalUnit", "ou: groups");
        server.add("dn: uid=pia,ou=users,dc=example,dc=org", "objectClass: inetOrgPerson", "uid: pia", "cn: Pia",
                "sn: P", "userPassword: secret-pia");
        server.add("dn: cn=ops,ou=groups,dc=example,dc=org", "objectClass: posixGroup", "cn: ops",
                "gidNumber: 5000", "memberUid: pia");
        // groupOfNames cycle: a <-> b, pia in a
        server.add("dn: cn=a,ou=groups,dc=example,dc=org", "objectClass: groupOfNames", "cn: a",
                "member: uid=pia,ou=users,dc=example,dc=org", "member: cn=b,ou=groups,dc=example,dc=org");
        server.add("dn: cn=b,ou=groups,dc=example,dc=org", "objectClass: groupOfNames", "cn: b",
                "member: cn=a,ou=groups,dc=example,dc=org");
        server.startListening();
    }

    @AfterEach
    void stop() {
        server.shutDown(true);
    }

    private LdapDirectory directory(String filter, String memberAttr, ManagementConfig.Ldap.MemberValue value) {
        return new LdapDirectory(new LdapSettings("ldap://127.0.0.1:" + server.getListenPort(), Optional.empty(),
                Optional.empty(), "ou=users,dc=example,dc=org", "(objectClass=inetOrgPerson)", "uid", "cn", "mail",
                "ou=groups,dc=example,dc=org", filter, "cn", memberAttr, value,
                Map.of("ops", "operator", "b", "viewer"), Duration.ofSeconds(5)));
    }

    @Test
    void memberUidGroups() throws Exception {
        LdapDirectory d = directory("(objectClass=posixGroup)", "memberUid", ManagementConfig.Ldap.MemberValue.UID);
        var pia = d.authenticate("pia", "secret-pia").orElseThrow();
        assertThat(pia.groups()).containsExactly("ops");
        assertThat(pia.roles()).containsExactly("operator");
        assertThat(d.snapshot().groups().get("ops").memberUids()).containsExactly("pia");
        assertThat(d.authenticate("pia", "wrong")).isEmpty();
    }

    @Test
    void nestingCyclesTerminate() throws Exception {
        LdapDirectory d = directory("(objectClass=groupOfNames)", "member", ManagementConfig.Ldap.MemberValue.DN);
        var pia = d.authenticate("pia", "secret-pia").orElseThrow();
        assertThat(pia.directGroups()).containsExactly("a");
        assertThat(pia.groups()).containsExactlyInAnyOrder("a", "b");
        assertThat(pia.roles()).containsExactly("viewer");
        assertThat(d.snapshot().users().get("pia").groups()).containsExactlyInAnyOrder("a", "b");
    }
}
