package org.cam.management.access;

/**
 * Which way clipboard content may move in a session: BOTH, TO_TARGET (the user may paste into the target, nothing
 * comes out of it), NONE. The session-broker enforces it (docs/protocols/kvm-session.md); a view-only session never
 * pastes into the target and receives the target's clipboard only with BOTH.
 */
public enum ClipboardPolicy {
    NONE, TO_TARGET, BOTH;

    /** Several rules on one target: the most permissive wins, as for access levels. */
    public static ClipboardPolicy combine(ClipboardPolicy a, ClipboardPolicy b) {
        return a == null ? b : b == null ? a : a.ordinal() >= b.ordinal() ? a : b;
    }
}
