package org.cam.protocol.rfb;

/**
 * The extended clipboard (rfbproto "Extended Clipboard Pseudo-encoding"): once both sides know it, cut text
 * messages with a negative length carry {@code -length} bytes that start with a u32 of flags: one action bit and
 * format bits. Constants and the one question a relay asks: which way does this message move clipboard content.
 */
public final class ExtendedClipboard {

    /** Format: UTF-8 text. */
    public static final int TEXT = 1;
    /** Action: the sender's capabilities (formats and size limits); no clipboard content. */
    public static final int CAPS = 1 << 24;
    /** Action: please send your clipboard in these formats. */
    public static final int REQUEST = 1 << 25;
    /** Action: please tell me which formats you have. */
    public static final int PEEK = 1 << 26;
    /** Action: my clipboard changed, these formats are available. */
    public static final int NOTIFY = 1 << 27;
    /** Action: here is my clipboard (zlib-compressed). */
    public static final int PROVIDE = 1 << 28;

    /** What an extended clipboard message does, for a relay's clipboard policy. */
    public enum Action {
        /** Capabilities: protocol flow, no content either way. */
        CAPS,
        /** The sender offers or sends its own clipboard (notify, provide). */
        SENDS_OWN,
        /** The sender asks for the peer's clipboard (request, peek). */
        ASKS_PEER
    }

    private ExtendedClipboard() {
    }

    /** The action of a message with these flags (the caps bit wins when a sender sets several). */
    public static Action action(int flags) {
        if ((flags & CAPS) != 0) {
            return Action.CAPS;
        }
        if ((flags & (NOTIFY | PROVIDE)) != 0) {
            return Action.SENDS_OWN;
        }
        return Action.ASKS_PEER;
    }
}
