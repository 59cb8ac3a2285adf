package org.directmilter.milter.policy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.directmilter.milter.session.HeaderField;
import org.directmilter.milter.session.Modification;

/** The header changes that turn the header block the MTA has into another one. */
final class HeaderRewrite {

    // compiled once: every protected message has its outer fields converted
    private static final Pattern LINE_BREAK = Pattern.compile("\r?\n");

    private HeaderRewrite() {
    }

    /**
     * Deletes every header the milter saw that {@code keep} does not keep, then appends {@code replacement}
     * in order. Deletions run from the last occurrence of a name to the first, so each index still names
     * the header it meant.
     *
     * <p>Fields below the last kept one that equal the replacement's first fields byte for byte, in order
     * (typically From, To, Date and Message-ID, which the outer and inner headers share), are left where
     * they are instead of deleted and added again: the block ends the same, field for field and in the
     * same order, in fewer changes. Each change is a packet to the MTA and, in Postfix's cleanup, a search
     * and a rewrite of the queue file.
     */
    static List<Modification> replace(List<HeaderField> original, Predicate<HeaderField> keep,
                                      List<HeaderField> replacement) {
        boolean[] kept = new boolean[original.size()];
        int firstMovable = 0;
        for (int i = 0; i < original.size(); i++) {
            kept[i] = keep.test(original.get(i));
            if (kept[i]) {
                firstMovable = i + 1;
            }
        }
        Map<String, Integer> seen = new HashMap<>();
        List<Modification.DeleteHeader> deletions = new ArrayList<>();
        int staying = 0; // how many of the replacement's first fields stay in place
        for (int i = 0; i < original.size(); i++) {
            HeaderField header = original.get(i);
            int occurrence = seen.merge(header.name().toLowerCase(Locale.ROOT), 1, Integer::sum);
            if (kept[i]) {
                continue;
            }
            if (i >= firstMovable && staying < replacement.size() && header.equals(replacement.get(staying))) {
                staying++;
            } else {
                deletions.add(new Modification.DeleteHeader(header.name(), occurrence));
            }
        }
        List<Modification> out = new ArrayList<>(deletions.size() + replacement.size() - staying);
        for (int i = deletions.size() - 1; i >= 0; i--) {
            out.add(deletions.get(i));
        }
        for (HeaderField header : replacement.subList(staying, replacement.size())) {
            out.add(new Modification.AddHeader(header));
        }
        return out;
    }

    /** Trace fields (RFC 5321 §4.4): kept wherever the rest of a header block is replaced. */
    static boolean isTrace(HeaderField header) {
        return header.named("Received") || header.named("Return-Path");
    }

    /** Deletes every header of that name. */
    static List<Modification> deleteAll(List<HeaderField> original, String name) {
        return replace(original, h -> !h.named(name), List.of());
    }

    /** A header field from the S/MIME engine as the session carries it (value bytes after the colon). */
    static HeaderField fromEngine(org.directmilter.crypto.smime.MimeHeaderField field) {
        String folded = field.value();
        String value = " " + (folded.indexOf('\n') < 0 ? folded : LINE_BREAK.matcher(folded).replaceAll("\r\n"));
        return new HeaderField(field.name(), value.getBytes(StandardCharsets.ISO_8859_1));
    }
}
