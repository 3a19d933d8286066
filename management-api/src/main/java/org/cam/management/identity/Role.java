package org.cam.management.identity;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The four roles. They are ordered: each includes the ones below it, so an identity carries its role and all
 * implied ones, and {@code @RolesAllowed} names the least role an operation needs.
 */
public final class Role {
    public static final String ADMIN = "admin";
    public static final String OPERATOR = "operator";
    public static final String USER = "user";
    public static final String VIEWER = "viewer";
    /**
     * Outside the ladder: reads sessions, audit events and recordings (and watches recordings), changes nothing, not
     * even a session of its own. Implied by no other role; admins read the same through their own role.
     */
    public static final String AUDITOR = "auditor";

    public static final Set<String> ALL = Set.of(ADMIN, OPERATOR, USER, VIEWER, AUDITOR);

    private Role() {
    }

    public static boolean isValid(String role) {
        return ALL.contains(role);
    }

    /** The given roles plus every role they imply (admin > operator > user > viewer). */
    public static Set<String> expand(Set<String> roles) {
        Set<String> out = new LinkedHashSet<>();
        if (roles.contains(ADMIN)) {
            out.add(ADMIN);
        }
        if (out.contains(ADMIN) || roles.contains(OPERATOR)) {
            out.add(OPERATOR);
        }
        if (out.contains(OPERATOR) || roles.contains(USER)) {
            out.add(USER);
        }
        if (out.contains(USER) || roles.contains(VIEWER)) {
            out.add(VIEWER);
        }
        if (roles.contains(AUDITOR)) {
            out.add(AUDITOR);
        }
        return out;
    }
}
