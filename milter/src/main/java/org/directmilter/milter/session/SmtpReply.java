package org.directmilter.milter.session;

import java.util.regex.Pattern;

/**
 * An SMTP reply in the milter's own words: basic code, enhanced status code (RFC 3463) and text.
 * The constructor refuses replies an MTA would refuse, so a bad one fails where it is written.
 */
public record SmtpReply(int code, String enhancedStatus, String text) {
    private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

    public SmtpReply {
        if (code < 400 || code > 599) {
            throw new IllegalArgumentException("milter replies must be 4xx or 5xx, not " + code);
        }
        if (!ENHANCED.matcher(enhancedStatus).matches() || enhancedStatus.charAt(0) - '0' != code / 100) {
            throw new IllegalArgumentException("enhanced status " + enhancedStatus + " does not fit reply " + code);
        }
        if (text.indexOf('\r') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("reply text must be one line without NUL: " + text);
        }
    }

    public static SmtpReply reject(String enhancedStatus, String text) {
        return new SmtpReply(550, enhancedStatus, text);
    }

    public static SmtpReply tempfail(String enhancedStatus, String text) {
        return new SmtpReply(451, enhancedStatus, text);
    }

    public boolean temporary() {
        return code < 500;
    }

    /** The SMFIR_REPLYCODE text. Sendmail reads it as a printf format, Postfix undoes the doubling. */
    public String wireText() {
        return code + " " + enhancedStatus + " " + text.replace("%", "%%");
    }

    @Override
    public String toString() {
        return code + " " + enhancedStatus + " " + text;
    }
}
