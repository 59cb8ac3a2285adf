package org.directmilter.milter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.directmilter.milter.session.HeaderField;
import org.directmilter.milter.session.Modification;
import org.junit.jupiter.api.Test;

class HeaderRewriteTest {

    private static final HeaderField RECEIVED = HeaderField.of("Received", "from a by b");
    private static final HeaderField FROM = HeaderField.of("From", "alice@hisp-a.example");
    private static final HeaderField TO = HeaderField.of("To", "bob@partner.example");
    private static final HeaderField SUBJECT = HeaderField.of("Subject", "results");
    private static final HeaderField DATE = HeaderField.of("Date", "Sat, 28 Nov 2026 12:00:00 +0000");
    private static final HeaderField MESSAGE_ID = HeaderField.of("Message-ID", "<1@hisp-a.example>");
    private static final HeaderField MIME = HeaderField.of("MIME-Version", "1.0");
    private static final HeaderField TEXT = HeaderField.of("Content-Type", "text/plain");
    private static final HeaderField SMIME = HeaderField.of("Content-Type", "application/pkcs7-mime");
    private static final HeaderField BASE64 = HeaderField.of("Content-Transfer-Encoding", "base64");

    /** What the MTA does with the changes: deletes the n-th field of a name (any case), appends the rest. */
    private static List<HeaderField> apply(List<HeaderField> headers, List<Modification> changes) {
        List<HeaderField> out = new ArrayList<>(headers);
        for (Modification change : changes) {
            if (change instanceof Modification.DeleteHeader delete) {
                int seen = 0;
                for (int i = 0; i < out.size(); i++) {
                    if (out.get(i).named(delete.name()) && ++seen == delete.occurrence()) {
                        out.remove(i);
                        break;
                    }
                }
            } else {
                out.add(((Modification.AddHeader) change).header());
            }
        }
        return out;
    }

    private static List<HeaderField> traceThen(List<HeaderField> original, List<HeaderField> replacement) {
        return Stream.concat(original.stream().filter(HeaderRewrite::isTrace), replacement.stream()).toList();
    }

    @Test
    void fieldsTheOuterHeadersShareStayWhereTheyAre() {
        List<HeaderField> inner = List.of(RECEIVED, FROM, TO, SUBJECT, DATE, MESSAGE_ID, MIME, TEXT);
        List<HeaderField> outer = List.of(FROM, TO, DATE, MESSAGE_ID, MIME, SMIME, BASE64);

        List<Modification> changes = HeaderRewrite.replace(inner, HeaderRewrite::isTrace, outer);

        assertThat(changes).containsExactly(new Modification.DeleteHeader("Content-Type", 1),
                new Modification.DeleteHeader("Subject", 1), new Modification.AddHeader(SMIME),
                new Modification.AddHeader(BASE64));
        assertThat(apply(inner, changes)).containsExactlyElementsOf(traceThen(inner, outer));
    }

    @Test
    void onlyTheReplacementsFirstFieldsStaySoTheOrderIsTheReplacements() {
        // the inner Subject comes before Date, which the outer block has: Date cannot stay above it
        List<HeaderField> outer = List.of(RECEIVED, FROM, TO, DATE, MESSAGE_ID, MIME, SMIME, BASE64);
        List<HeaderField> inner = List.of(FROM, TO, SUBJECT, DATE, MESSAGE_ID, MIME, TEXT);

        List<Modification> changes = HeaderRewrite.replace(outer, HeaderRewrite::isTrace, inner);

        assertThat(changes).filteredOn(Modification.AddHeader.class::isInstance).hasSize(5);
        assertThat(apply(outer, changes)).containsExactlyElementsOf(traceThen(outer, inner));
    }

    @Test
    void aFieldStaysOnlyWithTheSameNameAndBytes() {
        HeaderField lowerFrom = new HeaderField("from", FROM.value());
        HeaderField otherSpace = new HeaderField("From", ("\t" + FROM.text()).getBytes(StandardCharsets.US_ASCII));

        assertThat(HeaderRewrite.replace(List.of(lowerFrom), h -> false, List.of(FROM)))
                .containsExactly(new Modification.DeleteHeader("from", 1), new Modification.AddHeader(FROM));
        assertThat(HeaderRewrite.replace(List.of(otherSpace), h -> false, List.of(FROM)))
                .containsExactly(new Modification.DeleteHeader("From", 1), new Modification.AddHeader(FROM));
    }

    @Test
    void nothingAboveAKeptTraceFieldStaysSoTraceFieldsStayOnTop() {
        List<HeaderField> original = List.of(FROM, RECEIVED, TO);

        List<Modification> changes = HeaderRewrite.replace(original, HeaderRewrite::isTrace, List.of(FROM, TO));

        assertThat(changes).contains(new Modification.DeleteHeader("From", 1));
        assertThat(apply(original, changes)).containsExactly(RECEIVED, FROM, TO);
    }

    @Test
    void anyBlocksEndAsTheirTraceFieldsThenTheReplacementInOrder() {
        List<HeaderField> pool = List.of(RECEIVED, FROM, TO, HeaderField.of("To", "carol@partner.example"), SUBJECT,
                DATE, MESSAGE_ID, MIME, TEXT, SMIME, BASE64, HeaderField.of("to", "bob@partner.example"));
        Random random = new Random(18);
        for (int round = 0; round < 2000; round++) {
            List<HeaderField> original = pick(pool, random);
            List<HeaderField> replacement = pick(pool, random).stream().filter(h -> !HeaderRewrite.isTrace(h)).toList();

            List<Modification> changes = HeaderRewrite.replace(original, HeaderRewrite::isTrace, replacement);

            assertThat(apply(original, changes)).as("%s -> %s", original, replacement)
                    .containsExactlyElementsOf(traceThen(original, replacement));
            long deletions = changes.stream().filter(Modification.DeleteHeader.class::isInstance).count();
            assertThat(changes.size() - deletions).isLessThanOrEqualTo(replacement.size());
        }
    }

    private static List<HeaderField> pick(List<HeaderField> pool, Random random) {
        List<HeaderField> out = new ArrayList<>();
        int size = random.nextInt(9);
        for (int i = 0; i < size; i++) {
            out.add(pool.get(random.nextInt(pool.size())));
        }
        return out;
    }
}
