package org.cam.management.session;

/**
 * PENDING: issued, waiting for a broker's claim; ACTIVE: claimed by exactly one broker (its current leg); RESUMING:
 * the broker that carried it drained and asked the console to resume elsewhere, nobody carries it until a broker
 * claims the next leg or the resume window closes; ENDED: over or expired.
 */
public enum SessionState { PENDING, ACTIVE, RESUMING, ENDED }
