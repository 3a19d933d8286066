package org.cam.protocol;

/**
 * Rules for text fields on the wire: strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF) and
 * no control characters (U+0000-U+001F, U+007F-U+009F), because these strings end up in logs, metrics and UIs.
 */
public final class Text {

    private Text() {
    }

    /** True when {@code len} bytes at {@code off} are strict UTF-8 without control characters. */
    public static boolean isValidUtf8Text(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                if (c < 0x20 || c == 0x7F) {
                    return false;
                }
                i++;
                continue;
            }
            int cp;
            int n;
            if (c >= 0xC2 && c <= 0xDF) {
                n = 1;
                cp = c & 0x1F;
            } else if (c >= 0xE0 && c <= 0xEF) {
                n = 2;
                cp = c & 0x0F;
            } else if (c >= 0xF0 && c <= 0xF4) {
                n = 3;
                cp = c & 0x07;
            } else {
                return false; // continuation byte, overlong lead (C0/C1) or beyond U+10FFFF
            }
            if (end - i - 1 < n) {
                return false;
            }
            for (int k = 1; k <= n; k++) {
                int cc = b[i + k] & 0xFF;
                if ((cc & 0xC0) != 0x80) {
                    return false;
                }
                cp = (cp << 6) | (cc & 0x3F);
            }
            if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF))
                    || (cp >= 0xD800 && cp <= 0xDFFF) || (cp >= 0x80 && cp <= 0x9F)) {
                return false;
            }
            i += n + 1;
        }
        return true;
    }

    /**
     * Validates a text field: non-null unless {@code nullable}, 1..{@code maxBytes} bytes as UTF-8, no control
     * characters, no unpaired surrogates. Works on the chars without allocating, because records run it on every
     * decode too.
     *
     * @throws IllegalArgumentException naming {@code field}
     */
    public static void checkField(String value, String field, int maxBytes, boolean nullable) {
        if (value == null) {
            if (nullable) {
                return;
            }
            throw new IllegalArgumentException(field + " is required");
        }
        int bytes = 0;
        int n = value.length();
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) {
                throw new IllegalArgumentException(field + " must not contain control characters");
            }
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(field + " contains an unpaired surrogate");
            } else {
                bytes += 3;
            }
        }
        if (bytes == 0 || bytes > maxBytes) {
            throw new IllegalArgumentException(field + " must be 1.." + maxBytes + " UTF-8 bytes");
        }
    }
}
