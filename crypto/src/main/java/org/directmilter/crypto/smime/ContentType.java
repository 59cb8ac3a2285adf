package org.directmilter.crypto.smime;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** A parsed Content-Type value: lower-case type/subtype and parameters (names lower-cased). */
record ContentType(String mimeType, Map<String, String> parameters) {

    static final ContentType TEXT_PLAIN = new ContentType("text/plain", Map.of());

    // compiled once: every message parses several Content-Type values
    private static final Pattern TYPE = Pattern.compile("[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+");
    private static final Pattern QUOTED_PAIR = Pattern.compile("\\\\(.)");

    Optional<String> parameter(String name) {
        return Optional.ofNullable(parameters.get(name));
    }

    boolean is(String... types) {
        for (String t : types) {
            if (mimeType.equals(t)) {
                return true;
            }
        }
        return false;
    }

    /** Parses RFC 2045 syntax, tolerating comments and stray whitespace; an unparsable value is text/plain. */
    static ContentType parse(String value) {
        String s = value.indexOf('(') < 0 ? value : stripComments(value);
        int semi = indexOfUnquoted(s, ';', 0);
        String type = (semi < 0 ? s : s.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        if (!TYPE.matcher(type).matches()) {
            return TEXT_PLAIN;
        }
        Map<String, String> params = new HashMap<>();
        while (semi >= 0) {
            int next = indexOfUnquoted(s, ';', semi + 1);
            String param = (next < 0 ? s.substring(semi + 1) : s.substring(semi + 1, next)).trim();
            int eq = param.indexOf('=');
            if (eq > 0) {
                String name = param.substring(0, eq).trim().toLowerCase(Locale.ROOT);
                String v = param.substring(eq + 1).trim();
                if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                    v = QUOTED_PAIR.matcher(v.substring(1, v.length() - 1)).replaceAll("$1");
                }
                params.putIfAbsent(name, v);
            }
            semi = next;
        }
        return new ContentType(type, Map.copyOf(params));
    }

    private static int indexOfUnquoted(String s, char c, int from) {
        boolean quoted = false;
        for (int i = from; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && quoted) {
                i++;
            } else if (ch == '"') {
                quoted = !quoted;
            } else if (ch == c && !quoted) {
                return i;
            }
        }
        return -1;
    }

    private static String stripComments(String s) {
        StringBuilder out = new StringBuilder(s.length());
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (quoted) {
                out.append(ch);
                if (ch == '\\' && i + 1 < s.length()) {
                    out.append(s.charAt(++i));
                } else if (ch == '"') {
                    quoted = false;
                }
            } else if (ch == '"' && depth == 0) {
                quoted = true;
                out.append(ch);
            } else if (ch == '(') {
                depth++;
            } else if (ch == ')' && depth > 0) {
                depth--;
            } else if (depth == 0) {
                out.append(ch);
            }
        }
        return out.toString();
    }
}
