package org.cam.management.device;

/** DISCOVERED: heard, awaiting an operator; PENDING: approved, enrolment under way or failed (retry approve);
 *  MANAGED: enrolled, pinned, polled, its channels are targets; REJECTED: an operator said no (notices ignored). */
public enum DeviceState { DISCOVERED, PENDING, MANAGED, REJECTED }
