package org.directmilter.milter.log;

/**
 * The one encoder for values from outside (envelope addresses, header fields, certificate names,
 * reasons quoting either) on their way into a log line. A value can never end the line, start another
 * one, or hide behind characters a terminal does not show: backslash, CR, LF and TAB become {@code \\},
 * {@code \r}, {@code \n}, {@code \t}; every other control, format (e.g. bidirectional overrides) or
 * line-separator character, and a lone surrogate, becomes {@code \}{@code uXXXX}.
 *
 * <p>For the audit line's {@code key=value} fields {@link #value} adds the format's own rule: a value
 * that is not plain printable ASCII without blanks, {@code "}, {@code =} or {@code \} is put in double
 * quotes, and inside the quotes {@code "} and {@code =} are escaped as well, so no value holds a
 * {@code key=} that a search could take for a field.
 */
public final class LogText {

    private LogText() {
    }

    /** Free text for a log line: {@code String.valueOf(value)} with the escapes above. */
    public static String escape(Object value) {
        return encode(String.valueOf(value), false, true);
    }

    /**
     * A whole log message made one line: only what could break or disguise the line is escaped, and
     * backslashes stay as they are, so a line whose values were escaped already reads the same. The
     * net under every message, for values a caller forgot ({@code %oneline} in logback.xml).
     */
    public static String oneLine(String message) {
        for (int i = 0; i < message.length(); i++) {
            if (hidden(message, i)) {
                return encode(message, false, false);
            }
        }
        return message;
    }

    /** A {@code key=value} field's value: as it is when plain, else quoted and escaped. */
    public static String value(String value) {
        if (!value.isEmpty() && value.chars().allMatch(LogText::plain)) {
            return value;
        }
        return '"' + encode(value, true, true) + '"';
    }

    /** A field's key: letters, digits, '.', '-' and '_'; anything else (from a domain name, say) becomes '_'. */
    public static String key(String key) {
        StringBuilder out = new StringBuilder(key.length());
        key.chars().forEach(c -> out.append(c < 128 && (Character.isLetterOrDigit(c) || ".-_".indexOf(c) >= 0)
                ? (char) c : '_'));
        return out.toString();
    }

    private static boolean plain(int c) {
        return c > ' ' && c < 127 && c != '"' && c != '=' && c != '\\';
    }

    private static String encode(String text, boolean quoted, boolean backslash) {
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
        return out.toString();
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
