package org.directmilter.milter.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The addr-specs in an RFC 5322 address header (From, Sender, To, Cc): display names, comments and
 * group syntax dropped, lower-cased for comparison. Tolerant: a routing check needs the addresses, not
 * a verdict on the header's syntax.
 */
public final class Mailboxes {

    private Mailboxes() {
    }

    public static List<String> parse(String header) {
        List<String> out = new ArrayList<>();
        for (String element : splitTopLevel(withoutComments(header))) {
            String address = addrSpec(element);
            if (address.indexOf('@') > 0) {
                out.add(address.toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    /** Removes (comments), which may nest, outside quoted strings. */
    private static String withoutComments(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                if (depth == 0) {
                    out.append(c).append(text.charAt(i + 1));
                }
                i++;
            } else if (c == '"' && depth == 0) {
                quoted = !quoted;
                out.append(c);
            } else if (c == '(' && !quoted) {
                depth++;
            } else if (c == ')' && !quoted && depth > 0) {
                depth--;
            } else if (depth == 0) {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Splits on ',' and ';' outside quotes and angle brackets; a group's "name:" goes with its first member. */
    private static List<String> splitTopLevel(String text) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        boolean angle = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                current.append(c).append(text.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '<') {
                angle = true;
            } else if (!quoted && c == '>') {
                angle = false;
            } else if (!quoted && !angle && (c == ',' || c == ';')) {
                parts.add(current.toString());
                current.setLength(0);
                continue;
            } else if (!quoted && !angle && c == ':') {
                current.setLength(0); // "group-name:" introduces the group's members
                continue;
            }
            current.append(c);
        }
        parts.add(current.toString());
        return parts;
    }

    private static String addrSpec(String element) {
        int open = element.lastIndexOf('<');
        int close = element.lastIndexOf('>');
        String spec = open >= 0 && close > open ? element.substring(open + 1, close) : element;
        spec = spec.strip();
        // a source route "@a,@b:user@host" names the mailbox after the colon
        int colon = spec.startsWith("@") ? spec.indexOf(':') : -1;
        return colon >= 0 ? spec.substring(colon + 1) : spec;
    }
}
