package org.cam.replication.observe;

public enum Flavour {
    MARIADB, MYSQL;

    public static Flavour of(String version) {
        return version != null && version.toLowerCase(java.util.Locale.ROOT).contains("mariadb") ? MARIADB : MYSQL;
    }
}
