package org.cam.management.identity.ldap;

import org.cam.management.config.ManagementConfig;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The directory settings as a plain value, so {@link LdapDirectory} works without CDI (integration tests). */
public record LdapSettings(String url, Optional<String> bindDn, Optional<String> bindPassword,
                           String userBase, String userFilter, String userIdAttribute,
                           String displayNameAttribute, String emailAttribute,
                           String groupBase, String groupFilter, String groupNameAttribute,
                           String memberAttribute, ManagementConfig.Ldap.MemberValue memberValue,
                           Map<String, String> roleMapping, Duration connectTimeout) {

    public static LdapSettings of(ManagementConfig.Ldap c) {
        return new LdapSettings(c.url(), c.bindDn(), c.bindPassword(), c.userBase(), c.userFilter(),
                c.userIdAttribute(), c.displayNameAttribute(), c.emailAttribute(), c.groupBase(),
                c.groupFilter(), c.groupNameAttribute(), c.memberAttribute(), c.memberValue(), c.roleMapping(),
                c.connectTimeout());
    }

    /** The OpenLDAP layout of the demo directory (dc=cam,dc=test) at the given URL. */
    public static LdapSettings demo(String url, Map<String, String> roleMapping) {
        return new LdapSettings(url, Optional.of("cn=admin,dc=cam,dc=test"), Optional.of("camadmin"),
                "ou=people,dc=cam,dc=test", "(objectClass=inetOrgPerson)", "uid", "cn", "mail",
                "ou=groups,dc=cam,dc=test", "(objectClass=groupOfNames)", "cn", "member",
                ManagementConfig.Ldap.MemberValue.DN, roleMapping, Duration.ofSeconds(5));
    }
}
