package org.directmilter.milter.session;

import java.util.List;

/** A MAIL FROM or RCPT TO argument exactly as the MTA gave it, and its ESMTP parameters. */
public record EnvelopeAddress(String raw, List<String> parameters) {

    public EnvelopeAddress {
        parameters = List.copyOf(parameters);
    }

    /** The address without angle brackets; empty for the null sender. */
    public String address() {
        String a = raw.strip();
        if (a.startsWith("<") && a.endsWith(">")) {
            a = a.substring(1, a.length() - 1);
        }
        // a source route "<@a,@b:user@host>" names the mailbox after the colon
        int colon = a.startsWith("@") ? a.indexOf(':') : -1;
        return colon >= 0 ? a.substring(colon + 1) : a;
    }

    /** The domain part, lower-cased; empty when there is none. */
    public String domain() {
        String a = address();
        int at = a.lastIndexOf('@');
        return at < 0 ? "" : a.substring(at + 1).toLowerCase(java.util.Locale.ROOT);
    }
}
