package org.cam.protocol.discovery;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Every {@link org.cam.protocol.ProtocolException#reason()} the discovery decoder can produce. The set is small and
 * stable so services can use the reason as a metric label; docs/protocols/discovery.md explains each.
 */
public final class DiscoveryReasons {

    public static final String BAD_BUFFER = "bad buffer";
    public static final String TOO_LARGE = "too large";
    public static final String TRUNCATED_HEADER = "truncated header";
    public static final String BAD_MAGIC = "bad magic";
    public static final String UNSUPPORTED_VERSION = "unsupported version";
    public static final String UNKNOWN_TYPE = "unknown message type";
    public static final String TRUNCATED_SIGNATURE = "truncated signature";
    public static final String MISSING_SIGNATURE = "missing signature";
    public static final String BAD_SIGNATURE = "bad signature";
    public static final String TRUNCATED_TLV = "truncated tlv";
    public static final String DUPLICATE_TLV = "duplicate tlv";
    public static final String UNEXPECTED_TLV = "unexpected tlv";
    /** Followed by a {@link Tlv#label}: wrong length or invalid value. */
    public static final String BAD_FIELD_PREFIX = "bad field: ";
    /** Followed by a {@link Tlv#label}: a required field is absent. */
    public static final String MISSING_FIELD_PREFIX = "missing field: ";

    /** All reasons, with the per-field ones expanded. */
    public static final Set<String> ALL;

    static {
        Set<String> all = new LinkedHashSet<>();
        Collections.addAll(all, BAD_BUFFER, TOO_LARGE, TRUNCATED_HEADER, BAD_MAGIC, UNSUPPORTED_VERSION, UNKNOWN_TYPE,
                TRUNCATED_SIGNATURE, MISSING_SIGNATURE, BAD_SIGNATURE, TRUNCATED_TLV, DUPLICATE_TLV, UNEXPECTED_TLV);
        for (Tlv t : Tlv.values()) {
            all.add(BAD_FIELD_PREFIX + t.label);
            if (t != Tlv.DEVICE_NAME && t != Tlv.KVM_PORTS) { // optional: absent is fine
                all.add(MISSING_FIELD_PREFIX + t.label);
            }
        }
        ALL = Collections.unmodifiableSet(all);
    }

    private DiscoveryReasons() {
    }
}
