package org.cam.management.identity.service;

import java.util.Set;

/** The outcome of a successful password check: who, and the roles (implied ones included). */
public record AuthenticatedUser(long userId, String username, Set<String> roles) {
}
