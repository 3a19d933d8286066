package org.cam.management.identity.ldap;

import com.unboundid.ldap.sdk.BindResult;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPURL;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SearchRequest;
import com.unboundid.ldap.sdk.SearchResult;
import com.unboundid.ldap.sdk.SearchResultEntry;
import com.unboundid.ldap.sdk.SearchScope;
import com.unboundid.ldap.sdk.ExtendedResult;
import com.unboundid.ldap.sdk.extensions.StartTLSExtendedRequest;
import com.unboundid.util.ssl.JVMDefaultTrustManager;
import com.unboundid.util.ssl.PEMFileTrustManager;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.SSLUtil;
import org.cam.management.config.ManagementConfig;
import org.cam.management.identity.UserNames;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the directory with UnboundID: password check by binding as the user, group membership with nested groups
 * resolved, and full snapshots for import/sync. Works for OpenLDAP (uid, member DNs, groupOfNames) and Active
 * Directory (sAMAccountName, member DNs) or posixGroup (memberUid) through {@link LdapSettings}.
 * A fresh connection per operation: logins and syncs are rare enough, and nothing stale survives a slapd restart.
 */
public class LdapDirectory {

    /** A user as the directory knows it. {@code groups} are effective (nested included); {@code directGroups} not. */
    public record Account(String uid, String dn, String displayName, String email, Set<String> directGroups,
                          Set<String> groups, Map<String, Set<String>> nesting, Set<String> roles) {
    }

    public record Group(String name, String dn, Set<String> memberUids, Set<String> memberGroups) {
    }

    public record Snapshot(Map<String, Account> users, Map<String, Group> groups) {
    }

    private final LdapSettings s;

    public LdapDirectory(LdapSettings settings) {
        this.s = settings;
    }

    public LdapSettings settings() {
        return s;
    }

    /** Empty when the user is unknown or the password is wrong; LDAPException when the directory is unreachable. */
    public Optional<Account> authenticate(String uid, String password) throws LDAPException {
        if (uid == null || uid.isBlank() || password == null || password.isEmpty()) {
            return Optional.empty();   // an empty password would be an anonymous bind that "succeeds"
        }
        try (LDAPConnection service = connect()) {
            SearchResultEntry entry = findUser(service, uid);
            if (entry == null) {
                return Optional.empty();
            }
            try (LDAPConnection asUser = connectUnbound()) {
                BindResult r = asUser.bind(entry.getDN(), password);
                if (r.getResultCode() != ResultCode.SUCCESS) {
                    return Optional.empty();
                }
            } catch (LDAPException e) {
                if (e.getResultCode() == ResultCode.INVALID_CREDENTIALS) {
                    return Optional.empty();
                }
                throw e;
            }
            return Optional.of(account(service, entry));
        }
    }

    /** A user's directory entry without password check (used when looking one up, e.g. in sync). */
    public Optional<Account> lookup(String uid) throws LDAPException {
        try (LDAPConnection c = connect()) {
            SearchResultEntry e = findUser(c, uid);
            return e == null ? Optional.empty() : Optional.of(account(c, e));
        }
    }

    /** Every user and group under the configured bases, memberships resolved (nested included). */
    public Snapshot snapshot() throws LDAPException {
        try (LDAPConnection c = connect()) {
            Map<String, SearchResultEntry> userByDn = new LinkedHashMap<>();
            Map<String, String> uidByDn = new HashMap<>();
            for (SearchResultEntry e : search(c, s.userBase(), Filter.create(s.userFilter()),
                    s.userIdAttribute(), s.displayNameAttribute(), s.emailAttribute())) {
                String uid = e.getAttributeValue(s.userIdAttribute());
                if (uid != null) {
                    userByDn.put(norm(e.getDN()), e);
                    uidByDn.put(norm(e.getDN()), uid);
                }
            }
            Map<String, Group> groups = new LinkedHashMap<>();
            Map<String, String> groupNameByDn = new HashMap<>();
            List<SearchResultEntry> groupEntries = search(c, s.groupBase(), Filter.create(s.groupFilter()),
                    s.groupNameAttribute(), s.memberAttribute());
            for (SearchResultEntry e : groupEntries) {
                String name = e.getAttributeValue(s.groupNameAttribute());
                if (name != null) {
                    groupNameByDn.put(norm(e.getDN()), name);
                }
            }
            Set<String> knownUids = new HashSet<>(uidByDn.values());
            for (SearchResultEntry e : groupEntries) {
                String name = e.getAttributeValue(s.groupNameAttribute());
                if (name == null) {
                    continue;
                }
                Set<String> memberUids = new TreeSet<>();
                Set<String> memberGroups = new TreeSet<>();
                String[] values = e.getAttributeValues(s.memberAttribute());
                for (String v : values == null ? new String[0] : values) {
                    if (s.memberValue() == ManagementConfig.Ldap.MemberValue.UID) {
                        if (knownUids.contains(v)) {
                            memberUids.add(v);
                        }
                    } else if (uidByDn.containsKey(norm(v))) {
                        memberUids.add(uidByDn.get(norm(v)));
                    } else if (groupNameByDn.containsKey(norm(v))) {
                        memberGroups.add(groupNameByDn.get(norm(v)));
                    }
                }
                groups.put(name, new Group(name, e.getDN(), memberUids, memberGroups));
            }
            Map<String, Set<String>> parentsOf = new HashMap<>();
            Map<String, Set<String>> directOf = new HashMap<>();
            for (Group g : groups.values()) {
                g.memberGroups().forEach(child -> parentsOf.computeIfAbsent(child, k -> new TreeSet<>()).add(g.name()));
                g.memberUids().forEach(u -> directOf.computeIfAbsent(u, k -> new TreeSet<>()).add(g.name()));
            }
            Map<String, Account> users = new LinkedHashMap<>();
            for (SearchResultEntry e : userByDn.values()) {
                String uid = e.getAttributeValue(s.userIdAttribute());
                Set<String> direct = directOf.getOrDefault(uid, Set.of());
                Map<String, Set<String>> nesting = new LinkedHashMap<>();
                Set<String> effective = close(direct, g -> parentsOf.getOrDefault(g, Set.of()), nesting);
                String name = UserNames.canonical(uid);   // the directory matches case-insensitively; so do we
                users.put(name, new Account(name, e.getDN(), e.getAttributeValue(s.displayNameAttribute()),
                        e.getAttributeValue(s.emailAttribute()), direct, effective, nesting, roles(effective)));
            }
            return new Snapshot(users, groups);
        }
    }

    /** Checks that the directory answers (readiness). */
    public void ping() throws LDAPException {
        try (LDAPConnection c = connect()) {
            c.getRootDSE();
        }
    }

    /** Mapped CAM roles for a set of effective group names. */
    public Set<String> roles(Set<String> groups) {
        Set<String> roles = new TreeSet<>();
        s.roleMapping().forEach((group, role) -> {
            if (groups.contains(group)) {
                roles.add(role);
            }
        });
        return roles;
    }

    private Account account(LDAPConnection c, SearchResultEntry user) throws LDAPException {
        String uid = user.getAttributeValue(s.userIdAttribute());
        String memberValue = s.memberValue() == ManagementConfig.Ldap.MemberValue.UID ? uid : user.getDN();
        Set<String> direct = new TreeSet<>();
        Map<String, String> dnOfName = new HashMap<>();
        for (SearchResultEntry g : groupsContaining(c, memberValue)) {
            String name = g.getAttributeValue(s.groupNameAttribute());
            if (name != null) {
                direct.add(name);
                dnOfName.put(name, g.getDN());
            }
        }
        // Nested groups: a group whose member list holds one of our groups' DN (only DN-valued membership nests).
        Map<String, Set<String>> nesting = new LinkedHashMap<>();
        LDAPException[] failure = new LDAPException[1];
        Set<String> effective = close(direct, name -> {
            if (s.memberValue() == ManagementConfig.Ldap.MemberValue.UID || dnOfName.get(name) == null) {
                return Set.of();
            }
            Set<String> parents = new TreeSet<>();
            try {
                for (SearchResultEntry p : groupsContaining(c, dnOfName.get(name))) {
                    String pn = p.getAttributeValue(s.groupNameAttribute());
                    if (pn != null) {
                        parents.add(pn);
                        dnOfName.putIfAbsent(pn, p.getDN());
                    }
                }
            } catch (LDAPException e) {
                failure[0] = e;
            }
            return parents;
        }, nesting);
        if (failure[0] != null) {
            throw failure[0];
        }
        return new Account(UserNames.canonical(uid), user.getDN(), user.getAttributeValue(s.displayNameAttribute()),
                user.getAttributeValue(s.emailAttribute()), direct, effective, nesting, roles(effective));
    }

    /** Transitive closure over "is member of", cycle-safe; records each traversed group's parents in nesting. */
    private static Set<String> close(Set<String> start, java.util.function.Function<String, Set<String>> parents,
                                     Map<String, Set<String>> nesting) {
        Set<String> seen = new TreeSet<>(start);
        Deque<String> todo = new ArrayDeque<>(start);
        while (!todo.isEmpty()) {
            String g = todo.removeFirst();
            Set<String> ps = parents.apply(g);
            if (!ps.isEmpty()) {
                nesting.put(g, ps);
            }
            for (String p : ps) {
                if (seen.add(p)) {
                    todo.addLast(p);
                }
            }
        }
        return seen;
    }

    private List<SearchResultEntry> groupsContaining(LDAPConnection c, String value) throws LDAPException {
        Filter f = Filter.createANDFilter(Filter.create(s.groupFilter()),
                Filter.createEqualityFilter(s.memberAttribute(), value));
        return search(c, s.groupBase(), f, s.groupNameAttribute());
    }

    private SearchResultEntry findUser(LDAPConnection c, String uid) throws LDAPException {
        Filter f = Filter.createANDFilter(Filter.create(s.userFilter()),
                Filter.createEqualityFilter(s.userIdAttribute(), uid));
        List<SearchResultEntry> found = search(c, s.userBase(), f, s.userIdAttribute(), s.displayNameAttribute(),
                s.emailAttribute());
        return found.size() == 1 ? found.get(0) : null;   // ambiguous ids never log anybody in
    }

    private static List<SearchResultEntry> search(LDAPConnection c, String base, Filter f, String... attrs)
            throws LDAPException {
        SearchResult r = c.search(new SearchRequest(base, SearchScope.SUB, f, attrs));
        return new ArrayList<>(r.getSearchEntries());
    }

    private LDAPConnection connect() throws LDAPException {
        LDAPConnection c = connectUnbound();
        try {
            if (s.bindDn().isPresent()) {
                c.bind(s.bindDn().get(), s.bindPassword().orElse(""));
            }
            return c;
        } catch (LDAPException e) {
            c.close();
            throw e;
        }
    }

    private LDAPConnection connectUnbound() throws LDAPException {
        LDAPURL url = new LDAPURL(s.url());
        LDAPConnectionOptions o = new LDAPConnectionOptions();
        o.setConnectTimeoutMillis((int) s.connectTimeout().toMillis());
        o.setResponseTimeoutMillis(s.connectTimeout().toMillis() * 2);
        boolean ldaps = "ldaps".equalsIgnoreCase(url.getScheme());
        // UnboundID accepts any name by default: a certificate for another host (any publicly trusted one, with the
        // JVM's trust store) would read every bind password. The URL's host must be in the certificate.
        o.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
        if (!ldaps && !s.startTls()) {
            return new LDAPConnection(o, url.getHost(), url.getPort());
        }
        SSLUtil ssl = ssl();
        try {
            if (ldaps) {
                return new LDAPConnection(ssl.createSSLSocketFactory(), o, url.getHost(), url.getPort());
            }
            LDAPConnection c = new LDAPConnection(o, url.getHost(), url.getPort());
            try {
                ExtendedResult r = c.processExtendedOperation(new StartTLSExtendedRequest(ssl.createSSLContext()));
                if (r.getResultCode() != ResultCode.SUCCESS) {
                    throw new LDAPException(r.getResultCode(), "StartTLS refused: " + r.getDiagnosticMessage());
                }
                return c;
            } catch (LDAPException e) {
                c.close();
                throw e;
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new LDAPException(ResultCode.CONNECT_ERROR, e.getMessage(), e);
        }
    }

    /** Trust: the configured CA file, else the JVM's trust store. */
    private SSLUtil ssl() throws LDAPException {
        if (s.trustStore().isEmpty()) {
            return new SSLUtil(JVMDefaultTrustManager.getInstance());
        }
        try {
            return new SSLUtil(new PEMFileTrustManager(new java.io.File(s.trustStore().get())));
        } catch (java.security.KeyStoreException e) {
            throw new LDAPException(ResultCode.CONNECT_ERROR, "LDAP trust store " + s.trustStore().get()
                    + " unusable: " + e.getMessage(), e);
        }
    }

    private static String norm(String dn) {
        try {
            return new DN(dn).toNormalizedString();
        } catch (LDAPException e) {
            return dn.toLowerCase();
        }
    }
}
