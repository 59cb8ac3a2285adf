package org.directmilter.milter.policy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.UUID;
import org.directmilter.milter.notify.ReportHeader;
import org.directmilter.milter.tracking.Overdue;
import org.directmilter.milter.tracking.Report;

/**
 * The failure DSN (RFC 3464) an originator gets when a recipient's MDN did not come back in time (T5):
 * from the HISP (MAILER-DAEMON of the originator's domain) with the null envelope sender, naming the
 * recipient and what was missing. It carries no content of the original message: its Message-ID,
 * originator and recipient only, all as recorded.
 *
 * <p>It passes the originator's own direct-milter as a plaintext delivery report to a local recipient
 * (delivered as is); {@link #MARKER} keeps it from being correlated with the record it reports on.
 */
record TimeoutNotice(String originator, String recipient, Optional<String> originalMessageId, String reason,
                     String arrival, String messageId, ZonedDateTime date) {

    /** The header that says "this DSN is the tracker's own"; a forged one only skips correlation. */
    static final String MARKER = "X-Direct-Tracking";
    static final String MARKER_VALUE = "timeout";

    /** The notice for {@code overdue}, unless its originator is no plain address (nothing can reach it then). */
    static Optional<TimeoutNotice> of(Overdue overdue, Clock clock) {
        String originator = overdue.message().sender();
        if (!ReportHeader.plainAddress(originator)) {
            return Optional.empty();
        }
        String domain = originator.substring(originator.lastIndexOf('@') + 1);
        String recipient = ReportHeader.plainAddress(overdue.recipient()) ? overdue.recipient() : "invalid@invalid";
        ZonedDateTime now = ZonedDateTime.now(clock);
        return Optional.of(new TimeoutNotice(originator, recipient,
                Optional.of(overdue.message().messageId().strip()).filter(ReportHeader::plainMessageId),
                reason(overdue), DateTimeFormatter.RFC_1123_DATE_TIME.format(overdue.message().sent().atZone(now.getZone())),
                "<" + UUID.randomUUID() + "@" + domain + ">", now));
    }

    /** What was missing, as the DSN and the audit line say it: "no processed MDN within 1h". */
    static String reason(Overdue overdue) {
        Duration waited = Duration.between(overdue.message().sent(), overdue.deadline());
        String kind = overdue.missing() == Report.Kind.DISPATCHED ? "dispatched" : "processed";
        return "no " + kind + " MDN within " + human(waited);
    }

    private static String human(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s > 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        return s > 0 && s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    /** The DSN as {@code sendmail -t} reads it (LF line ends). */
    byte[] render() {
        String domain = originator.substring(originator.lastIndexOf('@') + 1);
        String boundary = ReportHeader.boundary("dsn", messageId, date);
        String original = originalMessageId.orElse("(without a Message-ID)");
        StringBuilder text = ReportHeader.write(new StringBuilder(1024), "Mail Delivery System <MAILER-DAEMON@" + domain + ">",
                originator, date, messageId, originalMessageId, "Undelivered Direct message to " + recipient,
                Optional.of(MARKER + ": " + MARKER_VALUE), "delivery-status", boundary);
        text                .append("--").append(boundary).append('\n')
                .append("Content-Type: text/plain; charset=us-ascii\n\n")
                .append("Your Direct message ").append(original).append(" to ").append(recipient)
                .append(" was sent, but its delivery was not confirmed: ").append(reason)
                .append(".\nThe recipient's system may not have received it. Please make sure it arrives by other means.\n\n")
                .append("--").append(boundary).append('\n')
                .append("Content-Type: message/delivery-status\n\n")
                .append("Reporting-MTA: dns; ").append(domain).append('\n')
                .append("Arrival-Date: ").append(arrival).append("\n\n")
                .append("Final-Recipient: rfc822;").append(recipient).append('\n')
                .append("Action: failed\n")
                .append("Status: 5.4.7\n")
                .append("Diagnostic-Code: X-Direct-Tracking; ").append(reason).append("\n\n")
                .append("--").append(boundary).append('\n')
                .append("Content-Type: text/rfc822-headers\n\n")
                .append("From: ").append(originator).append('\n')
                .append("To: ").append(recipient).append('\n');
        originalMessageId.ifPresent(id -> text.append("Message-ID: ").append(id).append('\n'));
        text.append('\n').append("--").append(boundary).append("--\n");
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
