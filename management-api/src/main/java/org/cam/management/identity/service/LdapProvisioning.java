package org.cam.management.identity.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import org.cam.management.identity.Source;
import org.cam.management.identity.User;
import org.cam.management.identity.UserGroup;
import org.cam.management.identity.ldap.LdapDirectory;

import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Mirrors one directory account into the database: the user (source LDAP), its LDAP groups with their nesting, its
 * direct memberships of LDAP groups, and its mapped roles. Local groups and their memberships are never touched.
 * Used at login (just-in-time) and by the sync.
 */
@ApplicationScoped
public class LdapProvisioning {

    /** What applying an account changed (for sync counts). */
    public record Changes(boolean userCreated, boolean userUpdated, int groupsCreated, int membershipsChanged) {
    }

    @Transactional(Transactional.TxType.MANDATORY)
    public Changes apply(LdapDirectory.Account a, User existing) {
        boolean created = existing == null;
        User u = created ? new User() : existing;
        boolean updated = false;
        if (created) {
            u.username = org.cam.management.identity.UserNames.canonical(a.uid());
            u.source = Source.LDAP;
            u.enabled = true;
        }
        if (!Objects.equals(u.displayName, a.displayName())) { u.displayName = a.displayName(); updated = true; }
        if (!Objects.equals(u.email, a.email())) { u.email = a.email(); updated = true; }
        if (!Objects.equals(u.ldapDn, a.dn())) { u.ldapDn = a.dn(); updated = true; }
        if (u.ldapMissing) { u.ldapMissing = false; u.enabled = true; updated = true; }
        if (!u.roles.equals(a.roles())) {
            if (!created) {
                u.endSessions();   // tokens carry roles: those issued before the directory changed them end
            }
            u.roles.clear();
            u.roles.addAll(a.roles());
            updated = true;
        }
        if (created) {
            u.persist();
        }
        int groupsCreated = 0;
        int memberships = 0;
        Map<String, UserGroup> groups = new java.util.HashMap<>();
        for (String name : a.groups()) {
            UserGroup g = UserGroup.byName(name).orElse(null);
            if (g == null) {
                g = new UserGroup();
                g.name = name;
                g.source = Source.LDAP;
                g.persist();
                groupsCreated++;
            }
            groups.put(name, g);
        }
        // direct memberships of LDAP groups: exactly the directory's
        for (UserGroup g : new HashSet<>(u.groups)) {
            if (g.source == Source.LDAP && !a.directGroups().contains(g.name)) {
                g.members.remove(u);
                u.groups.remove(g);
                memberships++;
            }
        }
        for (String name : a.directGroups()) {
            UserGroup g = groups.get(name);
            if (g.source == Source.LDAP && g.members.add(u)) {
                u.groups.add(g);
                memberships++;
            }
        }
        for (Map.Entry<String, Set<String>> e : a.nesting().entrySet()) {
            UserGroup child = groups.get(e.getKey());
            for (String parent : e.getValue()) {
                UserGroup p = groups.get(parent);
                if (child != null && p != null && child.source == Source.LDAP && child.parents.add(p)) {
                    memberships++;
                }
            }
        }
        return new Changes(created, updated && !created, groupsCreated, memberships);
    }
}
