package org.directmilter.crypto.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogSafeTest {

    @Test
    void lineBreaksAndControlsBecomeVisibleEscapesAndBackslashesAreDoubled() {
        assertThat(LogSafe.escape("http://x/a\r\n2026 audit: outcome=verified\\n\u0000\u2028\u0085\t"))
                .isEqualTo("http://x/a\\r\\n2026 audit: outcome=verified\\\\n\\u0000\\u2028\\u0085\\t");
        assertThat(LogSafe.escape(null)).isEqualTo("null");
        assertThat(LogSafe.escape("CN=Plain Name,O=Ünïcode")).isEqualTo("CN=Plain Name,O=Ünïcode");
    }

    @Test
    void aLongValueIsCutSayingHowMuchWasLeftOut() {
        String escaped = LogSafe.escape("a".repeat(LogSafe.MAX_CHARS + 100));

        assertThat(escaped).hasSize(LogSafe.MAX_CHARS + "...[100 more chars]".length())
                .endsWith("a...[100 more chars]");
    }
}
