package org.cam.replication.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MariaDbGtidsTest {

    @Test
    void secondaryBehindIsNotErrant() {
        assertThat(MariaDbGtids.errant("0-1-8", "0-1-12")).isEmpty();
        assertThat(MariaDbGtids.errant("", "0-1-12")).isEmpty();
    }

    @Test
    void ownServerIdOnSecondaryIsErrant() {
        // recorded: the secondary took a local insert (server 2) while replicating from server 1
        assertThat(MariaDbGtids.errant("0-1-8,0-2-9", "0-1-9")).containsExactly("0-2-9");
    }

    @Test
    void aheadOfPrimaryOrUnknownDomainIsErrant() {
        assertThat(MariaDbGtids.errant("0-1-13", "0-1-12")).containsExactly("0-1-13");
        assertThat(MariaDbGtids.errant("0-1-5,7-2-1", "0-1-12")).containsExactly("7-2-1");
    }

    @Test
    void afterSwitchoverBothServersAreKnown() {
        assertThat(MariaDbGtids.errant("0-1-100,0-2-140", "0-1-100,0-2-150")).isEmpty();
    }

    @Test
    void rejectsGarbage() {
        assertThatThrownBy(() -> MariaDbGtids.errant("3e11fa47:1-5", "0-1-1")).isInstanceOf(IllegalArgumentException.class);
    }
}
