package org.cam.management.session;

/** PENDING: issued, waiting for a broker's claim; ACTIVE: claimed by exactly one broker; ENDED: over or expired. */
public enum SessionState { PENDING, ACTIVE, ENDED }
