package org.cam.management.identity;

import java.util.Locale;

/**
 * The one canonical form of a user name: lower case (Locale.ROOT). Directories match names case-insensitively, so
 * every lookup, every stored name and every comparison uses this form; the database enforces it (V15).
 */
public final class UserNames {
    private UserNames() {
    }

    public static String canonical(String name) {
        return name == null ? null : name.toLowerCase(Locale.ROOT);
    }
}
