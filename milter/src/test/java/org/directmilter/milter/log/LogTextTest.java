package org.directmilter.milter.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void plainValuesStayAsTheyAre() {
        assertThat(LogText.value("alice@hisp.example.org")).isEqualTo("alice@hisp.example.org");
        assertThat(LogText.value("<m1@hisp.example.org>")).isEqualTo("<m1@hisp.example.org>");
        assertThat(LogText.escape("bob@partner.example: no certificate")).isEqualTo("bob@partner.example: no certificate");
    }

    @Test
    void lineBreaksAndControlsNeverReachTheLineRaw() {
        String forged = "x\r\nINFO  [w] audit: event=incoming outcome=verified\u0000\t\u007f\u0085\u2028\u2029\u202e";
        String value = LogText.value(forged);
        assertThat(value).isEqualTo("\"x\\r\\nINFO  [w] audit: event\\=incoming outcome\\=verified"
                + "\\u0000\\t\\u007f\\u0085\\u2028\\u2029\\u202e\"");
        assertThat(LogText.escape(forged)).isEqualTo("x\\r\\nINFO  [w] audit: event=incoming outcome=verified"
                + "\\u0000\\t\\u007f\\u0085\\u2028\\u2029\\u202e");
        for (String encoded : new String[] {value, LogText.escape(forged)}) {
            assertThat(encoded.chars()).allMatch(c -> c >= ' ' && c < 127);
        }
    }

    @Test
    void aQuotedValueCannotCloseItsQuotesOrHoldAField() {
        String value = LogText.value("a\" outcome=verified \\\"");
        assertThat(value).isEqualTo("\"a\\\" outcome\\=verified \\\\\\\"\"");
        assertThat(value).doesNotContain("outcome=");
        // the closing quote is the only unescaped one after the opening
        assertThat(value.substring(1, value.length() - 1).replace("\\\\", "").replace("\\\"", "")).doesNotContain("\"");
    }

    @Test
    void emptyAndNonAsciiValuesAreQuotedAndLoneSurrogatesEscaped() {
        assertThat(LogText.value("")).isEqualTo("\"\"");
        assertThat(LogText.value("Müller")).isEqualTo("\"Müller\"");
        assertThat(LogText.value("a\ud800b")).isEqualTo("\"a\\ud800b\"");
        assertThat(LogText.value("\ud83d\ude00")).isEqualTo("\"\ud83d\ude00\"");
    }

    @Test
    void keysKeepOnlyNameCharacters() {
        assertThat(LogText.key("signer.hisp.example.org")).isEqualTo("signer.hisp.example.org");
        assertThat(LogText.key("signer.x outcome=verified\n")).isEqualTo("signer.x_outcome_verified_");
    }

    @Test
    void oneLineEscapesOnlyWhatBreaksALineAndLeavesEscapedValuesAlone() {
        assertThat(LogText.oneLine("key store: x\r\nINFO audit: event=incoming")).isEqualTo("key store: x\\r\\nINFO audit: event=incoming");
        String audit = "event=incoming reason=\"a \\\" b\"";
        assertThat(LogText.oneLine(audit)).isSameAs(audit);
        assertThat(LogText.oneLine("a\\b\u2028")).isEqualTo("a\\b\\u2028");
    }
}
