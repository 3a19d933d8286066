package org.cam.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

class TextTest {

    /** What records accept for encoding is exactly what decoders accept on the wire, so every record round-trips. */
    @Property(tries = 3000)
    void checkFieldAgreesWithTheWireValidator(@ForAll String s, @ForAll @IntRange(min = 1, max = 64) int max) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        boolean wireOk = utf8.length >= 1 && utf8.length <= max && Text.isValidUtf8Text(utf8, 0, utf8.length)
                && new String(utf8, StandardCharsets.UTF_8).equals(s);
        boolean recordOk;
        try {
            Text.checkField(s, "f", max, false);
            recordOk = true;
        } catch (IllegalArgumentException e) {
            recordOk = false;
        }
        assertThat(recordOk).isEqualTo(wireOk);
        Statistics.collect(wireOk);
        // Both outcomes must really occur, or the property proves nothing.
        Statistics.coverage(c -> {
            c.check(true).count(n -> n > 100);
            c.check(false).count(n -> n > 100);
        });
    }

    @Test
    void strictUtf8() {
        assertThat(valid(0x41, 0xC3, 0xA9)).isTrue();                  // "Aé"
        assertThat(valid(0xF0, 0x9F, 0x98, 0x80)).isTrue();            // U+1F600
        assertThat(valid(0xC0, 0x80)).isFalse();                       // overlong NUL
        assertThat(valid(0xE0, 0x80, 0x80)).isFalse();                 // overlong
        assertThat(valid(0xED, 0xA0, 0x80)).isFalse();                 // surrogate
        assertThat(valid(0xF4, 0x90, 0x80, 0x80)).isFalse();           // above U+10FFFF
        assertThat(valid(0xC2, 0x85)).isFalse();                       // C1 control (NEL)
        assertThat(valid(0x41, 0x09)).isFalse();                       // tab
        assertThat(valid(0xE2, 0x82)).isFalse();                       // cut short
        assertThat(valid(0x80)).isFalse();                             // lone continuation
    }

    private static boolean valid(int... bytes) {
        byte[] b = new byte[bytes.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return Text.isValidUtf8Text(b, 0, b.length);
    }
}
