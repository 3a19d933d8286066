package org.cam.protocol.recording;

import java.util.Map;

/**
 * Turns a session's key presses into text a person can read and search: printable keysyms become their characters,
 * special keys their names in angle brackets ({@code <Enter>}, {@code <BackSpace>}, {@code <F5>}), and a key pressed
 * while Control, Alt or Super is held is named with them ({@code <Ctrl+c>}). Only presses count; Shift alone writes
 * nothing (its effect is already in the keysym). {@code <Enter>} is followed by a line break so the log reads by line.
 * Not thread-safe: one per recording.
 */
public final class KeyText {

    private static final int SHIFT_L = 0xffe1;
    private static final int SHIFT_R = 0xffe2;
    private static final int CTRL_L = 0xffe3;
    private static final int CTRL_R = 0xffe4;
    private static final int CAPS_LOCK = 0xffe5;
    private static final int META_L = 0xffe7;
    private static final int META_R = 0xffe8;
    private static final int ALT_L = 0xffe9;
    private static final int ALT_R = 0xffea;
    private static final int SUPER_L = 0xffeb;
    private static final int SUPER_R = 0xffec;
    private static final int ALT_GR = 0xfe03;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0xff08, "BackSpace"), Map.entry(0xff09, "Tab"), Map.entry(0xff0d, "Enter"),
            Map.entry(0xff8d, "Enter"), Map.entry(0xff1b, "Esc"), Map.entry(0xffff, "Delete"),
            Map.entry(0xff50, "Home"), Map.entry(0xff51, "Left"), Map.entry(0xff52, "Up"), Map.entry(0xff53, "Right"),
            Map.entry(0xff54, "Down"), Map.entry(0xff55, "PageUp"), Map.entry(0xff56, "PageDown"),
            Map.entry(0xff57, "End"), Map.entry(0xff63, "Insert"), Map.entry(0xff13, "Pause"),
            Map.entry(0xff61, "Print"), Map.entry(0xff14, "ScrollLock"), Map.entry(0xff7f, "NumLock"),
            Map.entry(0xff67, "Menu"), Map.entry(0xfe20, "Tab"));

    private boolean ctrl;
    private boolean alt;
    private boolean superKey;
    private final StringBuilder text = new StringBuilder();

    /** Feeds one KeyEvent. */
    public void key(boolean down, int keysym) {
        switch (keysym) {
            case CTRL_L, CTRL_R -> ctrl = down;
            case ALT_L, ALT_R, META_L, META_R -> alt = down;
            case SUPER_L, SUPER_R -> superKey = down;
            default -> {
                if (down) {
                    press(keysym);
                }
            }
        }
    }

    private void press(int keysym) {
        if (keysym == SHIFT_L || keysym == SHIFT_R || keysym == CAPS_LOCK || keysym == ALT_GR) {
            return;
        }
        String ch = character(keysym);
        String name = ch != null ? ch : name(keysym);
        if (ctrl || alt || superKey) {
            text.append('<').append(ctrl ? "Ctrl+" : "").append(alt ? "Alt+" : "").append(superKey ? "Super+" : "")
                    .append(name.startsWith("<") ? name.substring(1, name.length() - 1) : name).append('>');
            return;
        }
        text.append(ch != null ? ch : name);
        if ("<Enter>".equals(name)) {
            text.append('\n');
        }
    }

    /** The text of every {@link Record.Key} among {@code records}. */
    public static String of(Iterable<? extends Record> records) {
        KeyText t = new KeyText();
        for (Record r : records) {
            if (r instanceof Record.Key k) {
                t.key(k.down(), k.keysym());
            }
        }
        return t.text();
    }

    /** The text typed so far. */
    public String text() {
        return text.toString();
    }

    /** The character of a printable keysym (Latin-1 or the Unicode range 0x01000000), else null. */
    public static String character(int keysym) {
        if ((keysym >= 0x20 && keysym <= 0x7e) || (keysym >= 0xa0 && keysym <= 0xff)) {
            return String.valueOf((char) keysym);
        }
        if ((keysym & 0xff000000) == 0x01000000) {
            int cp = keysym & 0x00ffffff;
            if (Character.isValidCodePoint(cp) && !Character.isISOControl(cp) && !Character.isSurrogate((char) cp)) {
                return new String(Character.toChars(cp));
            }
        }
        if (keysym >= 0xffaa && keysym <= 0xffb9) {
            // Keypad operators and digits: * + , - . / 0-9.
            return String.valueOf((char) (keysym - 0xffaa + '*'));
        }
        return null;
    }

    /** The name of a non-printable keysym in angle brackets ({@code <F5>}, {@code <0xfe50>} when unknown). */
    public static String name(int keysym) {
        if (keysym >= 0xffbe && keysym <= 0xffe0) {
            return "<F" + (keysym - 0xffbe + 1) + ">";
        }
        String n = NAMES.get(keysym);
        return "<" + (n != null ? n : "0x" + Integer.toHexString(keysym)) + ">";
    }
}
