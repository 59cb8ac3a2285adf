package org.directmilter.milter.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What to do with a message when a named condition occurs ({@code On-DNSError tempfail}), as in OpenDKIM. */
public enum FailureAction {
    ACCEPT, REJECT, TEMPFAIL, QUARANTINE, DISCARD;

    /** Accepts the full word or its first letter, in any case. */
    public static FailureAction parse(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (FailureAction action : values()) {
            String word = action.keyword();
            if (lower.equals(word) || lower.equals(word.substring(0, 1))) {
                return action;
            }
        }
        throw new IllegalArgumentException("\"" + text + "\" is not one of "
                + Arrays.stream(values()).map(FailureAction::keyword).collect(Collectors.joining("|"))
                + " (or a single letter a/r/t/q/d)");
    }

    public String keyword() {
        return name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return keyword();
    }
}
