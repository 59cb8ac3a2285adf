package org.directmilter.crypto.text;

/**
 * Untrusted text made safe for one log line: a URL from a certificate, a subject name, a file name a
 * sender chose. Control characters (CR and LF above all, which would start a forged log line), DEL,
 * C1 controls and the Unicode line and paragraph separators become visible escapes; the backslash is
 * doubled so an escape in the input cannot pass for one of ours. Long values are cut, saying how much
 * was left out, so one certificate cannot flood the log.
 */
public final class LogSafe {

    /** Longest value written in full; a URL or DN is far shorter unless crafted. */
    static final int MAX_CHARS = 512;

    private LogSafe() {
    }

    /** {@code value} as one escaped line; {@code null} becomes {@code "null"}. */
    public static String escape(Object value) {
        String text = String.valueOf(value);
        int end = Math.min(text.length(), MAX_CHARS);
        StringBuilder out = new StringBuilder(end + 16);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> out.append("\\\\");
                case '\r' -> out.append("\\r");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (text.length() > end) {
            out.append("...[").append(text.length() - end).append(" more chars]");
        }
        return out.toString();
    }
}
