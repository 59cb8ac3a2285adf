package org.directmilter.milter.notify;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What every report this HISP writes shares (an MDN, a tracking DSN): which addresses and Message-IDs may
 * go into its header lines, and the header of a {@code multipart/report} as {@code sendmail -t} reads it.
 * Values that come from a received message are checked here first, so that none can add a line.
 */
public final class ReportHeader {

    /** An addr-spec fit for a header line and the MTA: printable ASCII, no space, nothing that delimits addresses. */
    private static final Pattern ADDRESS = Pattern.compile("[!#-'*+\\-/-9=?A-Z^-~.]+@[A-Za-z0-9.\\-\\[\\]:]+");
    /** A Message-ID as a field may carry it: printable ASCII, angle brackets around, not absurdly long. */
    private static final Pattern MESSAGE_ID = Pattern.compile("<[!-;=?-~]{1,900}>");

    private ReportHeader() {
    }

    /** Whether {@code address} may be written into a report's header and given to the MTA. */
    public static boolean plainAddress(String address) {
        return ADDRESS.matcher(address).matches();
    }

    /** Whether {@code id} may be written into a report's header as a Message-ID. */
    public static boolean plainMessageId(String id) {
        return MESSAGE_ID.matcher(id).matches();
    }

    /** The boundary of a report's parts: unique per report, never found in its text. */
    public static String boundary(String kind, String messageId, ZonedDateTime date) {
        return "=_" + kind + "_" + Integer.toHexString(messageId.hashCode()) + "_" + date.toEpochSecond();
    }

    /**
     * Writes the header of a {@code multipart/report} of {@code reportType} into {@code text}, up to and
     * including the blank line; {@code extraField} (a complete line without its end) goes before the MIME
     * fields when present.
     */
    public static StringBuilder write(StringBuilder text, String from, String to, ZonedDateTime date, String messageId,
                                      Optional<String> inReplyTo, String subject, Optional<String> extraField,
                                      String reportType, String boundary) {
        text.append("From: ").append(from).append('\n')
                .append("To: ").append(to).append('\n')
                .append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(date)).append('\n')
                .append("Message-ID: ").append(messageId).append('\n');
        inReplyTo.ifPresent(id -> text.append("In-Reply-To: ").append(id).append('\n'));
        text.append("Subject: ").append(subject).append('\n')
                .append("Auto-Submitted: auto-replied\n");
        extraField.ifPresent(field -> text.append(field).append('\n'));
        return text.append("MIME-Version: 1.0\n")
                .append("Content-Type: multipart/report; report-type=").append(reportType).append(";\n\tboundary=\"")
                .append(boundary).append("\"\n\n");
    }
}
