package org.cam.broker.relay;

import org.cam.broker.management.Claim;
import org.cam.protocol.rfb.ClientMessage;
import org.cam.protocol.rfb.ExtendedClipboard;
import org.cam.protocol.rfb.ServerMessageFramer;

/**
 * What a session lets through, message by message, from its mode and clipboard policy (docs/protocols/kvm-session.md
 * has the table). Protocol flow always passes; input and target control only in CONTROL; clipboard content only the
 * ways the policy allows. Extended clipboard capabilities always pass: they carry no content, and without them the
 * two ends would fall back to the plain cut text the policy filters just the same.
 */
final class RelayPolicy {

    private final boolean control;
    private final boolean toTarget;
    private final boolean fromTarget;

    RelayPolicy(Claim.Mode mode, Claim.Clipboard clipboard) {
        control = mode == Claim.Mode.CONTROL;
        toTarget = control && clipboard != Claim.Clipboard.NONE;
        fromTarget = clipboard == Claim.Clipboard.BOTH;
    }

    /** A client message goes on to the device. */
    boolean toDevice(ClientMessage m) {
        switch (m.effect()) {
            case FLOW:
                return true;
            case INPUT:
            case TARGET_CONTROL:
                return control;
            case CLIPBOARD:
                if (m instanceof ClientMessage.ExtendedClipboardMessage e) {
                    return clipboard(e.action(), toTarget, fromTarget);
                }
                return toTarget;
            default:
                return false;
        }
    }

    /** A device message (known by its kind) goes on to the client. */
    boolean toClient(ServerMessageFramer.Kind kind, ExtendedClipboard.Action action) {
        if (kind == ServerMessageFramer.Kind.CUT_TEXT) {
            return fromTarget;
        }
        if (kind == ServerMessageFramer.Kind.EXTENDED_CLIPBOARD) {
            return clipboard(action, fromTarget, toTarget);
        }
        return true;
    }

    /** @param sendsOwn whether the sender's own clipboard may travel; @param asks whether the peer's may */
    private static boolean clipboard(ExtendedClipboard.Action action, boolean sendsOwn, boolean asks) {
        switch (action) {
            case CAPS:
                return true;
            case SENDS_OWN:
                return sendsOwn;
            default:
                return asks;
        }
    }
}
