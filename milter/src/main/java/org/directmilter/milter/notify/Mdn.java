package org.directmilter.milter.notify;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.Optional;

/**
 * One message disposition notification (RFC 3798) from {@code reporter}, the local recipient the message
 * was for, to {@code destination}. It is written as its reporter's message: the MTA's milter pass signs
 * it with the reporter's key (its {@code From:}) and encrypts it to the destination. It never asks for a
 * notification itself (no Disposition-Notification-To), and it carries no part of the original message:
 * no Subject, no body.
 *
 * @param originalRecipient the recipient as the sender's MTA first gave it (ORCPT), when known
 * @param finalDestinationDelivery whether the report carries the timely-and-reliable extension field
 *                                 (empty, before Disposition, as the certification tools write it)
 * @param failure the delivery status code for a {@code failed} MDN's Failure field
 */
public record Mdn(String reporter, String destination, Optional<String> originalMessageId,
                  Optional<String> originalRecipient, Disposition disposition, boolean finalDestinationDelivery,
                  String reportingUa, Optional<String> failure) {

    /** The product named in Reporting-UA after the reporting host's name. */
    public static final String PRODUCT = "direct-milter";

    /** The message as {@code sendmail -t} reads it (LF line ends), with its own Message-ID and Date. */
    public byte[] render(String messageId, ZonedDateTime date) {
        String boundary = ReportHeader.boundary("mdn", messageId, date);
        String original = originalMessageId.orElse("(none)");
        StringBuilder text = ReportHeader.write(new StringBuilder(1024), reporter, destination, date, messageId,
                originalMessageId, subject(), Optional.empty(), "disposition-notification", boundary);
        text                .append("--").append(boundary).append('\n')
                .append("Content-Type: text/plain; charset=us-ascii\n\n")
                .append(explanation(original)).append("\n\n")
                .append("--").append(boundary).append('\n')
                .append("Content-Type: message/disposition-notification\n\n")
                .append("Reporting-UA: ").append(reportingUa).append("; ").append(PRODUCT).append('\n');
        originalRecipient.ifPresent(r -> text.append("Original-Recipient: rfc822;").append(r).append('\n'));
        text.append("Final-Recipient: rfc822;").append(reporter).append('\n');
        originalMessageId.ifPresent(id -> text.append("Original-Message-ID: ").append(id).append('\n'));
        if (finalDestinationDelivery) {
            text.append(OriginalMessage.FINAL_DESTINATION_DELIVERY).append(":\n");
        }
        text.append("Disposition: automatic-action/MDN-sent-automatically; ").append(disposition.text()).append('\n');
        failure.ifPresent(f -> text.append("Failure: ").append(f).append('\n'));
        text.append('\n').append("--").append(boundary).append("--\n");
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private String subject() {
        return switch (disposition) {
            case PROCESSED -> "Processed: your message to " + reporter;
            case DISPATCHED -> "Delivered: your message to " + reporter;
            case FAILED -> "Not delivered: your message to " + reporter;
        };
    }

    private String explanation(String original) {
        return switch (disposition) {
            case PROCESSED -> "Your message " + original + " to " + reporter
                    + " was received, decrypted and its signature verified.";
            case DISPATCHED -> "Your message " + original + " was delivered to the mailbox of " + reporter + ".";
            case FAILED -> "Your message " + original + " to " + reporter + " could not be delivered.";
        };
    }
}
