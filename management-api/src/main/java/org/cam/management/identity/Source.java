package org.cam.management.identity;

/** Where a user or group comes from: managed here, or imported from the directory. */
public enum Source { LOCAL, LDAP }
