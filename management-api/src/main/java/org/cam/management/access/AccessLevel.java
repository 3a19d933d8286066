package org.cam.management.access;

/** What a grant allows. NONE is an explicit deny: it wins over any other grant for the same target. */
public enum AccessLevel {
    NONE, VIEW_ONLY, FULL_CONTROL;

    /** Combines two grants for the same target: an explicit NONE denies, otherwise the more permissive wins. */
    public static AccessLevel combine(AccessLevel a, AccessLevel b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        if (a == NONE || b == NONE) {
            return NONE;
        }
        return a.ordinal() >= b.ordinal() ? a : b;
    }
}
