package org.cam.management.access;

import org.cam.management.identity.Role;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class AccessLevelTest {
    @Test
    void explicitNoneDeniesOtherwiseMostPermissiveWins() {
        assertThat(AccessLevel.combine(AccessLevel.VIEW_ONLY, AccessLevel.FULL_CONTROL)).isEqualTo(AccessLevel.FULL_CONTROL);
        assertThat(AccessLevel.combine(AccessLevel.FULL_CONTROL, AccessLevel.VIEW_ONLY)).isEqualTo(AccessLevel.FULL_CONTROL);
        assertThat(AccessLevel.combine(AccessLevel.FULL_CONTROL, AccessLevel.NONE)).isEqualTo(AccessLevel.NONE);
        assertThat(AccessLevel.combine(null, AccessLevel.VIEW_ONLY)).isEqualTo(AccessLevel.VIEW_ONLY);
    }

    @Test
    void rolesImplyTheLesserOnes() {
        assertThat(Role.expand(Set.of("admin"))).containsExactly("admin", "operator", "user", "viewer");
        assertThat(Role.expand(Set.of("operator"))).containsExactly("operator", "user", "viewer");
        assertThat(Role.expand(Set.of("user"))).containsExactly("user", "viewer");
        assertThat(Role.expand(Set.of("viewer"))).containsExactly("viewer");
        assertThat(Role.expand(Set.of())).isEmpty();
    }
}
