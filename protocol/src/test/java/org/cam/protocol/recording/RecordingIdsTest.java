package org.cam.protocol.recording;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.StringLength;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.CharRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecordingIdsTest {

    /** Any base64url session id and leg: the recording id is safe as a file name and leads back to both. */
    @Property
    void aLegsRecordingIdLeadsBackToItsSessionAndLeg(
            @ForAll @StringLength(min = 1, max = 64) @CharRange(from = 'a', to = 'z') @CharRange(from = 'A', to = 'Z')
            @CharRange(from = '0', to = '9') @Chars({'-', '_'}) String sessionId,
            @ForAll @IntRange(min = 1, max = 99_999) int leg) {
        String id = RecordingIds.of(sessionId, leg);
        assertThat(RecordingIds.SAFE.matcher(id).matches()).isTrue();
        assertThat(RecordingIds.sessionOf(id)).isEqualTo(sessionId);
        assertThat(RecordingIds.legOf(id)).isEqualTo(leg);
    }

    @Test
    void theFirstLegIsTheSessionsOwnAndNothingLeavesTheDirectory() {
        assertThat(RecordingIds.of("AbC_-12345678901234xy", 1)).isEqualTo("AbC_-12345678901234xy");
        assertThat(RecordingIds.of("AbC_-12345678901234xy", 0)).isEqualTo("AbC_-12345678901234xy");
        assertThat(RecordingIds.of("s", 2)).isEqualTo("s.2");
        for (String bad : new String[] {"..", "s..2", "s.0", "s.02", "../s", "s/2", "s.2.3", ".2", "s.", ""}) {
            assertThat(RecordingIds.SAFE.matcher(bad).matches()).as(bad).isFalse();
        }
    }
}
