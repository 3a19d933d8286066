package org.cam.management.target.service;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.panache.common.Parameters;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.panache.common.Sort;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.common.Page;
import org.cam.management.common.RequestInfo;
import org.cam.management.identity.service.UserService;
import org.cam.management.target.AccessPolicy;
import org.cam.management.target.Target;
import org.cam.management.target.TargetKind;
import org.cam.management.target.TargetSet;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

@ApplicationScoped
public class TargetService {

    /**
     * A target as written by the API. {@code password} null: keep the stored credential (unless
     * {@code clearCredential}); the credential only applies to RFB_ENDPOINT targets.
     */
    public record TargetData(String name, String description, String host, Integer port, AccessPolicy accessPolicy,
                             Set<String> locationTags, String username, String password, boolean clearCredential,
                             String tlsFingerprint, String tlsCaPem) {
        @Override
        public String toString() {
            return "TargetData[" + name + "]";   // never log the password
        }
    }

    public record Filter(String q, String tag, AccessPolicy policy) {
        public String where(Parameters p, String alias) {
            List<String> w = new ArrayList<>();
            w.add("1 = 1");
            if (q != null && !q.isBlank()) {
                w.add("lower(" + alias + ".name) like :q");
                p.and("q", "%" + q.toLowerCase() + "%");
            }
            if (tag != null && !tag.isBlank()) {
                w.add(":tag member of " + alias + ".locationTags");
                p.and("tag", tag);
            }
            if (policy != null) {
                w.add(alias + ".accessPolicy = :policy");
                p.and("policy", policy);
            }
            return String.join(" and ", w);
        }
    }

    @Inject
    AuditService audit;

    @Inject
    RequestInfo info;

    @Inject
    org.cam.management.config.ManagementConfig config;

    @Inject
    org.cam.management.common.SecretBox secrets;

    public Page<Target> list(Filter f, int page, int size) {
        Parameters p = new Parameters();
        String w = f.where(p, "t");
        List<Target> items = Target.<Target>find("from Target t where " + w, Sort.by("name"), p).page(page, size).list();
        return new Page<>(items, page, size, Target.count("from Target t where " + w, p));
    }

    public Target get(long id) {
        Target t = Target.findById(id);
        if (t == null) {
            throw ApiException.notFound("target", id);
        }
        return t;
    }

    @Transactional
    public Target create(TargetData d) {
        uniqueName(d.name(), null);
        Target t = new Target();
        t.kind = TargetKind.RFB_ENDPOINT;
        apply(t, d);
        t.persist();
        audit.record(info.actor(), "TARGET_CREATE", "target", t.id, AuditService.SUCCESS, info.sourceAddress(),
                describe(t));
        return t;
    }

    @Transactional
    public Target update(long id, TargetData d, long version) {
        Target t = get(id);
        UserService.checkVersion(t.version, version);
        uniqueName(d.name(), t.id);
        // A device channel's endpoint comes from its device; the PUT may repeat it (the full object as read).
        if (t.kind == TargetKind.DEVICE_CHANNEL
                && (!java.util.Objects.equals(d.host(), t.host) || !java.util.Objects.equals(d.port(), t.port))) {
            throw ApiException.badRequest("host", "a device channel's endpoint comes from its device");
        }
        apply(t, d);
        io.quarkus.hibernate.orm.panache.Panache.flush();   // the answer must carry the new @Version
        audit.record(info.actor(), "TARGET_UPDATE", "target", t.id, AuditService.SUCCESS, info.sourceAddress(),
                describe(t));
        return t;
    }

    @Transactional
    public void delete(long id) {
        Target t = get(id);
        TargetSet.<TargetSet>list("select s from TargetSet s join s.targets t where t = ?1", t)
                .forEach(s -> s.targets.remove(t));
        t.delete();
        audit.record(info.actor(), "TARGET_DELETE", "target", id, AuditService.SUCCESS, info.sourceAddress(),
                "name=" + t.name);
    }

    private void apply(Target t, TargetData d) {
        t.name = d.name();
        t.description = d.description();
        if (t.kind == TargetKind.RFB_ENDPOINT) {
            if (!java.util.Objects.equals(d.host(), t.host) || !java.util.Objects.equals(d.port(), t.port)) {
                checkEndpoint(d.host(), d.port());
            }
            t.host = d.host();
            t.port = d.port();
        } else if (d.password() != null || d.tlsFingerprint() != null || d.tlsCaPem() != null) {
            throw ApiException.badRequest("credential", "a device channel's credential is managed by its device");
        }
        if (d.clearCredential()) {
            t.credentialEnc = null;
            t.credentialUsername = null;
        }
        t.tlsFingerprint = d.tlsFingerprint();
        t.tlsCaPem = d.tlsCaPem();
        t.accessPolicy = d.accessPolicy() == null ? AccessPolicy.SHARED_VIEW : d.accessPolicy();
        Set<String> tags = d.locationTags() == null ? Set.of() : d.locationTags();
        if (!t.locationTags.equals(tags)) {
            t.locationTags.clear();
            t.locationTags.addAll(new HashSet<>(tags));
        }
        if (d.password() != null) {
            if (t.id == null) {
                t.persist();   // the credential is bound to the row's id, which the insert assigns
            }
            t.credentialEnc = secrets.encrypt(d.password(), t.credentialContext());
            t.credentialUsername = d.username();
        }
    }

    /**
     * At start-up, credentials stored before they were bound to their targets (v1) are re-encrypted bound (v2);
     * from then on an unbound one is refused, so a ciphertext copied from another row or an old backup opens
     * nothing. Replicas starting together may race on a row: the conditional update keeps whichever won.
     */
    void bindCredentialsAtStart(@Observes StartupEvent ev) {
        int n = bindCredentialsToTheirRows();
        if (n > 0) {
            Logger.getLogger(TargetService.class).infof(
                    "bound %d target credential(s) to their targets (AES-GCM associated data)", n);
        }
    }

    /** Target credentials still unbound (v1), re-encrypted bound to their rows (v2); the number changed. */
    public int bindCredentialsToTheirRows() {
        return QuarkusTransaction.requiringNew().call(() -> {
            int n = 0;
            for (Target t : Target.<Target>list("credentialEnc like ?1", "v1:%")) {
                String plain;
                try {
                    plain = secrets.decrypt(t.credentialEnc);
                } catch (IllegalStateException e) {
                    continue;   // another key: an admin sets the credential again
                }
                n += Target.update("credentialEnc = ?1 where id = ?2 and credentialEnc = ?3",
                        secrets.encrypt(plain, t.credentialContext()), t.id, t.credentialEnc);
            }
            return n;
        });
    }

    /**
     * The broker connects to a target on a user's behalf: it must not become a way into the manager's own host or
     * the database, directory and cluster ports next to it (cam.management.targets).
     */
    private void checkEndpoint(String host, Integer port) {
        if (port != null && config.targets().deniedPorts().contains(port)) {
            throw ApiException.badRequest("port", "port " + port + " is not for KVM targets "
                    + "(cam.management.targets.denied-ports)");
        }
        if (config.targets().allowLoopback()) {
            return;
        }
        java.net.InetAddress a;
        try {
            a = java.net.InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            return;   // not resolvable here and now: the broker's connection attempt will tell
        }
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress()) {
            throw ApiException.badRequest("host", host + " is this host or link-local; targets there need "
                    + "cam.management.targets.allow-loopback=true");
        }
    }

    private static void uniqueName(String name, Long self) {
        Target other = Target.find("name", name).firstResult();
        if (other != null && !other.id.equals(self)) {
            throw ApiException.conflict("name", "a target named " + name + " exists");
        }
    }

    private static String describe(Target t) {
        return "name=" + t.name + " endpoint=" + t.host + ":" + t.port + " policy=" + t.accessPolicy
                + " tags=" + t.locationTags + " credential=" + (t.credentialEnc == null ? "none"
                : t.credentialUsername == null ? "password" : "username+password")
                + (t.tlsFingerprint != null ? " tlsFingerprint=" + t.tlsFingerprint : "")
                + (t.tlsCaPem != null ? " tlsCa=yes" : "");
    }
}
