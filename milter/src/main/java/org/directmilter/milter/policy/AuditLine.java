package org.directmilter.milter.policy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One audit record: {@code audit event=... key=value ...}, values quoted when they hold blanks, quotes or
 * '='. Logged under the logger {@value #LOGGER} so an operator can route it on its own. Callers put in
 * addresses, certificate identities, algorithms, outcomes and replies — never a Subject or body (PHI),
 * never key material.
 */
final class AuditLine {

    static final String LOGGER = "org.directmilter.audit";
    private static final Logger AUDIT = LoggerFactory.getLogger(LOGGER);

    private final StringBuilder text = new StringBuilder(256);

    private AuditLine(String event) {
        text.append("event=").append(event);
    }

    static AuditLine of(String event) {
        return new AuditLine(event);
    }

    /** Adds {@code key=value}; absent or empty values are left out so lines stay short. */
    AuditLine with(String key, Object value) {
        if (value == null) {
            return this;
        }
        String v = String.valueOf(value);
        if (v.isEmpty()) {
            return this;
        }
        text.append(' ').append(key).append('=').append(quote(v));
        return this;
    }

    void log() {
        AUDIT.info("{}", text);
    }

    @Override
    public String toString() {
        return text.toString();
    }

    static String quote(String value) {
        boolean plain = !value.isEmpty() && value.chars().allMatch(c -> c > ' ' && c != '"' && c != '=' && c < 127);
        if (plain) {
            return value;
        }
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (char c : value.toCharArray()) {
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c < ' ') {
                out.append(' ');
            } else {
                out.append(c);
            }
        }
        return out.append('"').toString();
    }
}
