package org.cam.management.target;

/**
 * How concurrent sessions on one target combine: EXCLUSIVE one session at all; SHARED several controllers;
 * SHARED_VIEW one controller, everybody else view only. Enforced by the session half.
 */
public enum AccessPolicy { EXCLUSIVE, SHARED, SHARED_VIEW }
