package org.directmilter.resolver.ldap;

import java.nio.charset.StandardCharsets;

/** Search filters built from untrusted values, escaped so a value can never widen the search (RFC 4515 §3). */
final class LdapFilter {

    private LdapFilter() {
    }

    /** {@code (mail=VALUE)} with {@code *}, {@code (}, {@code )}, {@code \} and NUL escaped as {@code \XX}. */
    static String mailEquals(String value) {
        return "(mail=" + escape(value) + ")";
    }

    static String escape(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c == '*' || c == '(' || c == ')' || c == '\\' || c == 0) {
                out.append('\\').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            } else if (c < 0x80) {
                out.append((char) c);
            } else {
                // UTF-8 octets escaped too, so the filter string is plain ASCII whatever the provider's charset
                out.append('\\').append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 0xf, 16));
            }
        }
        return out.toString();
    }
}
