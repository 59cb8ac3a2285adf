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


    @Test
    void plainValuesStayAsTheyAre() {
        assertThat(LogSafe.value("alice@hisp.example.org")).isEqualTo("alice@hisp.example.org");
        assertThat(LogSafe.value("<m1@hisp.example.org>")).isEqualTo("<m1@hisp.example.org>");
        assertThat(LogSafe.escape("bob@partner.example: no certificate")).isEqualTo("bob@partner.example: no certificate");
    }

    @Test
    void lineBreaksAndControlsNeverReachTheLineRaw() {
        String forged = "x\r\nINFO  [w] audit: event=incoming outcome=verified\u0000\t\u007f\u0085\u2028\u2029\u202e";
        String value = LogSafe.value(forged);
        assertThat(value).isEqualTo("\"x\\r\\nINFO  [w] audit: event\\=incoming outcome\\=verified"
                + "\\u0000\\t\\u007f\\u0085\\u2028\\u2029\\u202e\"");
        assertThat(LogSafe.escape(forged)).isEqualTo("x\\r\\nINFO  [w] audit: event=incoming outcome=verified"
                + "\\u0000\\t\\u007f\\u0085\\u2028\\u2029\\u202e");
        for (String encoded : new String[] {value, LogSafe.escape(forged)}) {
            assertThat(encoded.chars()).allMatch(c -> c >= ' ' && c < 127);
        }
    }

    @Test
    void aQuotedValueCannotCloseItsQuotesOrHoldAField() {
        String value = LogSafe.value("a\" outcome=verified \\\"");
        assertThat(value).isEqualTo("\"a\\\" outcome\\=verified \\\\\\\"\"");
        assertThat(value).doesNotContain("outcome=");
        // the closing quote is the only unescaped one after the opening
        assertThat(value.substring(1, value.length() - 1).replace("\\\\", "").replace("\\\"", "")).doesNotContain("\"");
    }

    @Test
    void emptyAndNonAsciiValuesAreQuotedAndLoneSurrogatesEscaped() {
        assertThat(LogSafe.value("")).isEqualTo("\"\"");
        assertThat(LogSafe.value("Müller")).isEqualTo("\"Müller\"");
        assertThat(LogSafe.value("a\ud800b")).isEqualTo("\"a\\ud800b\"");
        assertThat(LogSafe.value("\ud83d\ude00")).isEqualTo("\"\ud83d\ude00\"");
    }

    @Test
    void keysKeepOnlyNameCharacters() {
        assertThat(LogSafe.key("signer.hisp.example.org")).isEqualTo("signer.hisp.example.org");
        assertThat(LogSafe.key("signer.x outcome=verified\n")).isEqualTo("signer.x_outcome_verified_");
    }

    @Test
    void oneLineEscapesOnlyWhatBreaksALineAndLeavesEscapedValuesAlone() {
        assertThat(LogSafe.oneLine("key store: x\r\nINFO audit: event=incoming")).isEqualTo("key store: x\\r\\nINFO audit: event=incoming");
        String audit = "event=incoming reason=\"a \\\" b\"";
        assertThat(LogSafe.oneLine(audit)).isSameAs(audit);
        assertThat(LogSafe.oneLine("a\\b\u2028")).isEqualTo("a\\b\\u2028");
    }
}
