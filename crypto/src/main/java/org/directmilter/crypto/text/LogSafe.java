package org.directmilter.crypto.text;

/**
 * The one encoder for untrusted text on its way into a log line: a URL from a certificate, a subject
 * name, an envelope address, a header field, a file name a sender chose. Nothing it returns can end the
 * line, start another one, or hide behind characters a terminal does not show: backslash, CR, LF and
 * TAB become {@code \\}, {@code \r}, {@code \n}, {@code \t}; every other control character (C0, DEL,
 * C1), Unicode line or paragraph separator, format character (bidirectional overrides, zero-width
 * characters) and lone surrogate becomes {@code \}{@code uXXXX}.
 *
 * <p>Three uses: {@link #escape} for a value in free text (cut when crafted long); {@link #value} and
 * {@link #key} for the audit line's {@code key=value} fields, where a value that is not plain printable
 * ASCII is quoted and {@code "} and {@code =} are escaped too, so that no value holds a {@code key=} a
 * search could take for a field; and {@link #oneLine} for a whole message, as the last net in the log
 * pattern.
 */
public final class LogSafe {

    /** Longest value {@link #escape} writes in full; a URL or DN is far shorter unless crafted. */
    static final int MAX_CHARS = 512;

    private LogSafe() {
    }

    /** {@code value} as one escaped line, cut after {@value #MAX_CHARS} characters; null becomes "null". */
    public static String escape(Object value) {
        String text = String.valueOf(value);
        int end = Math.min(text.length(), MAX_CHARS);
        StringBuilder out = encode(text.substring(0, end), false, true);
        if (text.length() > end) {
            out.append("...[").append(text.length() - end).append(" more chars]");
        }
        return out.toString();
    }

    /** A {@code key=value} field's value, whole: as it is when plain, else quoted and escaped. */
    public static String value(String value) {
        if (!value.isEmpty() && allPlain(value)) {
            return value;
        }
        return "\"" + encode(value, true, true) + "\"";
    }

    /** A field's key: letters, digits, '.', '-' and '_'; anything else (from a domain name, say) becomes '_'. */
    public static String key(String key) {
        if (allKeyChars(key)) {
            return key; // the keys are the code's own constants: no copy of them per line
        }
        StringBuilder out = new StringBuilder(key.length());
        key.chars().forEach(c -> out.append(c < 128 && (Character.isLetterOrDigit(c) || ".-_".indexOf(c) >= 0)
                ? (char) c : '_'));
        return out.toString();
    }

    /**
     * A whole log message made one line: only what could break or disguise the line is escaped, and
     * backslashes stay as they are, so a message whose values were escaped already reads the same.
     */
    public static String oneLine(String message) {
        for (int i = 0; i < message.length(); i++) {
            if (hidden(message, i)) {
                return encode(message, false, false).toString();
            }
        }
        return message;
    }

    private static boolean allPlain(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (!plain(value.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean allKeyChars(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(c < 128 && (Character.isLetterOrDigit(c) || ".-_".indexOf(c) >= 0))) {
                return false;
            }
        }
        return true;
    }

    private static boolean plain(int c) {
        return c > ' ' && c < 127 && c != '"' && c != '=' && c != '\\';
    }

    private static StringBuilder encode(String text, boolean quoted, boolean backslash) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append(backslash ? "\\\\" : "\\");
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (quoted && (c == '"' || c == '=')) {
                        out.append('\\').append(c);
                    } else if (hidden(text, i)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out;
    }

    /** Whether the char at {@code i} could break or disguise a line: a control, format or separator char, or a lone surrogate. */
    private static boolean hidden(String text, int i) {
        char c = text.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= text.length() || !Character.isLowSurrogate(text.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(text.charAt(i - 1));
        }
        return switch (Character.getType(c)) {
            case Character.CONTROL, Character.FORMAT, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> true;
            default -> false;
        };
    }
}
