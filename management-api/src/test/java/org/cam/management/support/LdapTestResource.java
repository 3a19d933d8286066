package org.cam.management.support;

import io.quarkus.test.common.QuarkusTestResource;

/** Registers the in-memory directory for every @QuarkusTest (one shared application boot). */
@QuarkusTestResource(InMemoryLdap.class)
public final class LdapTestResource {
    private LdapTestResource() {
    }
}
