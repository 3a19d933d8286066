package org.cam.management.recording.service;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Transactional;
import java.util.List;
import org.cam.management.audit.service.AuditService;
import org.cam.management.common.ApiException;
import org.cam.management.config.ManagementConfig;
import org.cam.management.recording.RecordingPolicy;
import org.cam.management.session.KvmSession;
import org.cam.management.target.Target;
import org.cam.management.target.TargetSet;

/**
 * Whether a session is recorded: the policy of each target set (set by admins, audited) and the sets the
 * configuration names ({@code cam.management.recording.always-sets}).
 */
@ApplicationScoped
public class RecordingPolicies {

    /** How a session is recorded; serialized into the broker's claim as {@code recording}. */
    public record Decision(boolean enabled, boolean failClosed) {
        static final Decision NONE = new Decision(false, false);
    }

    /**
     * A set's policy: as stored (what admins set) and as applied: the configuration may record a set whatever it says,
     * and a reader must see that rather than a NEVER that is not what happens.
     */
    public record Policy(TargetSet set, boolean configuredAlways, boolean configuredFailClosed) {
        public RecordingPolicy stored() {
            return RecordingPolicy.valueOf(set.recording);
        }

        public RecordingPolicy effective() {
            return configuredAlways ? RecordingPolicy.ALWAYS : stored();
        }

        public boolean effectiveFailClosed() {
            return stored() == RecordingPolicy.ALWAYS && set.recordingFailClosed || configuredFailClosed;
        }
    }

    @Inject
    ManagementConfig config;

    @Inject
    AuditService audit;

    /** The policy for a new session on {@code t}: recorded when any of its sets says ALWAYS (or is configured so). */
    public Decision decide(Target t) {
        List<String> always = configuredAlways();
        boolean record = false;
        boolean failClosed = false;
        List<TargetSet> sets = TargetSet.list("select s from TargetSet s join s.targets t where t.id = ?1", t.id);
        for (TargetSet s : sets) {
            if (RecordingPolicy.ALWAYS.name().equals(s.recording)) {
                record = true;
                failClosed |= s.recordingFailClosed;
            }
            if (always.contains(s.name)) {
                record = true;
                failClosed |= config.recording().alwaysSetsFailClosed();
            }
        }
        return record ? new Decision(true, failClosed) : Decision.NONE;
    }

    /** What the broker's claim carries: null when the session is not recorded. */
    @Transactional
    public Decision forSession(String sessionId) {
        KvmSession s = KvmSession.findById(sessionId);
        return s == null || !s.recorded ? null : new Decision(true, s.recordingFailClosed);
    }

    /** A target set's policy (404 when there is no such set). */
    @Transactional
    public Policy policy(long setId) {
        return of(targetSet(setId));
    }

    @Transactional
    public Policy setPolicy(long setId, RecordingPolicy policy, boolean failClosed, String actor,
                            String sourceAddress) {
        TargetSet s = targetSet(setId);
        s.recording = policy.name();
        s.recordingFailClosed = failClosed;
        audit.record(actor, "RECORDING_POLICY", "target_set", s.id, AuditService.SUCCESS, sourceAddress,
                "set=" + s.name + " recording=" + policy + " failClosed=" + failClosed);
        return of(s);
    }

    private Policy of(TargetSet s) {
        boolean configured = configuredAlways().contains(s.name);
        return new Policy(s, configured, configured && config.recording().alwaysSetsFailClosed());
    }

    private List<String> configuredAlways() {
        return config.recording().alwaysSets().orElse(List.of());
    }

    private static TargetSet targetSet(long setId) {
        TargetSet s = TargetSet.findById(setId);
        if (s == null) {
            throw ApiException.notFound("target set", setId);
        }
        return s;
    }
}
