package org.cam.management.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** All management-api settings, prefix {@code cam.management}. */
@ConfigMapping(prefix = "cam.management")
public interface ManagementConfig {

    Admin admin();

    Jwt jwt();

    Lockout lockout();

    Ldap ldap();

    /**
     * Bearer tokens of the other services (never users' credentials). A request bearing one authenticates as
     * {@code service:<name>} with roles {@code service} and {@code service:<name>}; absent = not accepted.
     */
    ServiceTokens serviceTokens();

    interface ServiceTokens {
        Optional<String> broker();

        Optional<String> discovery();

        Optional<String> replicationMonitor();
    }

    interface Admin {
        /** Username of the built-in local administrator. */
        @WithDefault("admin")
        String username();

        /** First password; when absent one is generated and printed once in the log. */
        Optional<String> initialPassword();
    }

    interface Jwt {
        @WithDefault("cam-management")
        String issuer();

        @WithDefault("PT10M")
        Duration accessTokenTtl();

        @WithDefault("PT8H")
        Duration refreshTokenTtl();

        /**
         * Folder holding jwt-private.pem / jwt-public.pem. When both are missing a key pair is generated there
         * (demo); production mounts its own keys at this path.
         */
        @WithDefault(".cam/management-api/jwt")
        String keyDir();
    }

    interface Lockout {
        @WithDefault("5")
        int maxFailuresPerUser();

        @WithDefault("20")
        int maxFailuresPerAddress();

        /** Failures older than this are forgotten; a locked user or address is free again after it. */
        @WithDefault("PT15M")
        Duration window();
    }

    interface Ldap {
        @WithDefault("true")
        boolean enabled();

        @WithDefault("ldap://127.0.0.1:13389")
        String url();

        /** Service account for searches and sync; anonymous when absent. */
        Optional<String> bindDn();

        Optional<String> bindPassword();

        @WithDefault("ou=people,dc=cam,dc=test")
        String userBase();

        @WithDefault("(objectClass=inetOrgPerson)")
        String userFilter();

        /** uid for OpenLDAP, sAMAccountName for Active Directory. */
        @WithDefault("uid")
        String userIdAttribute();

        @WithDefault("cn")
        String displayNameAttribute();

        @WithDefault("mail")
        String emailAttribute();

        @WithDefault("ou=groups,dc=cam,dc=test")
        String groupBase();

        @WithDefault("(|(objectClass=groupOfNames)(objectClass=groupOfUniqueNames)(objectClass=posixGroup)(objectClass=group))")
        String groupFilter();

        @WithDefault("cn")
        String groupNameAttribute();

        /** member / uniqueMember (values are DNs) or memberUid (values are user ids). */
        @WithDefault("member")
        String memberAttribute();

        /** DN when member values are DNs, UID when they are user ids (posixGroup memberUid). */
        @WithDefault("DN")
        MemberValue memberValue();

        /** LDAP group name -> CAM role (admin, operator, user, viewer). Nested membership counts. */
        Map<String, String> roleMapping();

        /** How long a successful LDAP bind is remembered (salted hash of the password, in memory). */
        @WithDefault("PT60S")
        Duration cacheTtl();

        @WithDefault("PT5S")
        Duration connectTimeout();

        /** Interval of the scheduled import/sync, e.g. 15m; "off" disables the schedule. */
        @WithDefault("15m")
        String syncEvery();

        enum MemberValue { DN, UID }
    }
}
