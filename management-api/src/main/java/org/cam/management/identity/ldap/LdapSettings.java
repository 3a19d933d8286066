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
                           Map<String, String> roleMapping, Duration connectTimeout, boolean startTls,
                           Optional<String> trustStore) {

    /** Plain LDAP or LDAPS trusted through the JVM's trust store. */
    public LdapSettings(String url, Optional<String> bindDn, Optional<String> bindPassword, String userBase,
                        String userFilter, String userIdAttribute, String displayNameAttribute, String emailAttribute,
                        String groupBase, String groupFilter, String groupNameAttribute, String memberAttribute,
                        ManagementConfig.Ldap.MemberValue memberValue, Map<String, String> roleMapping,
                        Duration connectTimeout) {
        this(url, bindDn, bindPassword, userBase, userFilter, userIdAttribute, displayNameAttribute, emailAttribute,
                groupBase, groupFilter, groupNameAttribute, memberAttribute, memberValue, roleMapping, connectTimeout,
                false, Optional.empty());
    }

    public static LdapSettings of(ManagementConfig.Ldap c) {
        return new LdapSettings(c.url(), c.bindDn(), c.bindPassword(), c.userBase(), c.userFilter(),
                c.userIdAttribute(), c.displayNameAttribute(), c.emailAttribute(), c.groupBase(),
                c.groupFilter(), c.groupNameAttribute(), c.memberAttribute(), c.memberValue(), c.roleMapping(),
                c.connectTimeout(), c.startTls(), c.trustStore());
    }

    /** The OpenLDAP layout of the demo directory (dc=cam,dc=test) at the given URL. */
    public static LdapSettings demo(String url, Map<String, String> roleMapping) {
        return new LdapSettings(url, Optional.of("cn=admin,dc=cam,dc=test"), Optional.of("camadmin"),
                "ou=people,dc=cam,dc=test", "(objectClass=inetOrgPerson)", "uid", "cn", "mail",
                "ou=groups,dc=cam,dc=test", "(objectClass=groupOfNames)", "cn", "member",
                ManagementConfig.Ldap.MemberValue.DN, roleMapping, Duration.ofSeconds(5));
    }

    /** The same settings with StartTLS on or off and the PEM file of the directory's CA (JVM trust store if empty). */
    public LdapSettings withTls(boolean startTls, Optional<String> trustStore) {
        return new LdapSettings(url, bindDn, bindPassword, userBase, userFilter, userIdAttribute, displayNameAttribute,
                emailAttribute, groupBase, groupFilter, groupNameAttribute, memberAttribute, memberValue, roleMapping,
                connectTimeout, startTls, trustStore);
    }
}
