package org.cam.management.identity.service;

import java.util.Set;

/**
 * The outcome of a successful password check: who, the roles (implied ones included) and the user's token
 * generation (put into access tokens).
 */
public record AuthenticatedUser(long userId, String username, Set<String> roles, long tokenGeneration) {
}
