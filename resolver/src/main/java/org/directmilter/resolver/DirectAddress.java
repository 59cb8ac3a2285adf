package org.directmilter.resolver;

import java.net.IDN;
import java.util.Locale;

/**
 * A Direct address split for discovery: the local part lower-cased, the domain in IDNA A-labels,
 * lower-cased, without a trailing dot.
 */
public record DirectAddress(String localPart, String domain) {

    public DirectAddress {
        if (localPart.isEmpty() || domain.isEmpty()) {
            throw new IllegalArgumentException("empty local part or domain");
        }
    }

    /**
     * Parses {@code local@domain} (angle brackets and a quoted local part are accepted).
     *
     * @throws IllegalArgumentException when the text is not an address
     */
    public static DirectAddress parse(String text) {
        String s = text.strip();
        if (s.startsWith("<") && s.endsWith(">")) {
            s = s.substring(1, s.length() - 1);
        }
        int at = s.lastIndexOf('@');
        if (at <= 0 || at == s.length() - 1) {
            throw new IllegalArgumentException("not an address (local@domain): " + text);
        }
        String local = unquote(s.substring(0, at));
        String domain = s.substring(at + 1);
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        String ascii;
        try {
            ascii = IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a domain name: " + domain + " (" + e.getMessage() + ")", e);
        }
        return new DirectAddress(local.toLowerCase(Locale.ROOT), ascii.toLowerCase(Locale.ROOT));
    }

    private static String unquote(String local) {
        if (local.length() < 2 || !local.startsWith("\"") || !local.endsWith("\"")) {
            return local;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < local.length() - 1; i++) {
            char c = local.charAt(i);
            if (c == '\\' && i + 1 < local.length() - 1) {
                c = local.charAt(++i);
            }
            out.append(c);
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return localPart + "@" + domain;
    }
}
