package org.directmilter.milter.notify;

import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Decides and sends the notifications about a message this HISP received: a {@code processed} MDN per
 * accepted recipient of every verified message (Direct AS §3 requires it whether or not one was asked
 * for), to Disposition-Notification-To or else From, none about a report (an MDN or a DSN). The reporter
 * is the recipient: its MDN leaves as its own Direct message.
 */
public final class Notifier {


    private final boolean enabled;
    private final Submission submission;
    private final Clock clock;
    private final EarlierAttempts earlier;

    public Notifier(boolean enabled, Submission submission, Clock clock) {
        this(enabled, submission, clock, new EarlierAttempts(clock));
    }

    /** {@code earlier} outlives the notifier: a reload hands the running one's to the next. */
    public Notifier(boolean enabled, Submission submission, Clock clock, EarlierAttempts earlier) {
        this.enabled = enabled;
        this.submission = submission;
        this.clock = clock;
        this.earlier = earlier;
    }

    /** The MDNs handed over for attempts of messages that were then tempfailed. */
    public EarlierAttempts earlierAttempts() {
        return earlier;
    }

    /** A notifier that sends nothing, for {@code Notifications no} and for tools that only judge messages. */
    public static Notifier disabled() {
        return new Notifier(false, (recipient, message) -> {
            throw new Submission.SubmissionException("notifications are disabled");
        }, Clock.systemUTC());
    }

    /** A local recipient of a message and, when the sender's MTA gave it (ORCPT), the address it was first given as. */
    public record Recipient(String address, Optional<String> original) {

        /** A recipient as RCPT gave it: its ESMTP parameters may hold ORCPT (RFC 3461 §4.2). */
        public static Recipient of(String address, List<String> esmtpParameters) {
            return new Recipient(address, esmtpParameters.stream()
                    .filter(p -> p.regionMatches(true, 0, "ORCPT=rfc822;", 0, 13))
                    .map(p -> decodeXtext(p.substring(13))).findFirst());
        }

        /** RFC 3461 xtext: {@code +HH} is the byte HH. */
        private static String decodeXtext(String xtext) {
            StringBuilder out = new StringBuilder(xtext.length());
            for (int i = 0; i < xtext.length(); i++) {
                char c = xtext.charAt(i);
                if (c == '+' && i + 2 < xtext.length() && xtext.substring(i + 1, i + 3).matches("[0-9A-F]{2}")) {
                    out.append((char) Integer.parseInt(xtext.substring(i + 1, i + 3), 16));
                    i += 2;
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }
    }

    /**
     * The {@code processed} notifications for a verified message, one per recipient it is delivered to.
     * Each is handed over before the next is composed; the result lists every recipient's notice, and a
     * {@link Notice.Failed} among them means the message must not be accepted now. Then the MDNs that
     * did go out are remembered, and the sender's retry of the message does not send them again.
     */
    public List<Notice> processed(OriginalMessage original, List<Recipient> recipients) {
        List<Notice> notices = new ArrayList<>();
        Optional<String> destination = original.destination();
        Optional<String> messageId = original.messageId();
        for (Recipient recipient : recipients) {
            if (messageId.isPresent() && earlier.sent(messageId.get(), recipient.address())) {
                notices.add(new Notice.NotSent(recipient.address(), destination.orElse(null),
                        "already sent for an earlier attempt of this message"));
            } else {
                notices.add(notify(original, recipient, destination));
            }
        }
        messageId.ifPresent(id -> {
            boolean retryComes = notices.stream().anyMatch(n -> n instanceof Notice.Failed);
            for (Notice notice : notices) {
                if (!retryComes) {
                    earlier.forget(id, notice.recipient());
                } else if (notice instanceof Notice.Sent) {
                    earlier.remember(id, notice.recipient());
                }
            }
        });
        return notices;
    }

    /**
     * The notification about one recipient's final delivery, as the MTA reported it: {@code dispatched}
     * when the message reached the mailbox and the sender asked for final-destination delivery (none
     * otherwise: {@code processed} said enough), {@code failed} when it never will (whether or not it
     * was asked for: the sender would not learn it otherwise). {@code status} is the delivery status code.
     */
    public Notice delivery(OriginalMessage original, Recipient recipient, boolean delivered, String status) {
        Optional<String> destination = original.destination();
        if (delivered && !original.wantsFinalDelivery()) {
            return new Notice.NotSent(recipient.address(), destination.orElse(null),
                    "final-destination delivery was not asked for");
        }
        return delivered ? notify(original, recipient, destination, Disposition.DISPATCHED, Optional.empty())
                : notify(original, recipient, destination, Disposition.FAILED,
                        Optional.of(status).filter(s -> s.matches("[245]\\.[0-9]{1,3}\\.[0-9]{1,3}")));
    }

    private Notice notify(OriginalMessage original, Recipient recipient, Optional<String> destination) {
        return notify(original, recipient, destination, Disposition.PROCESSED, Optional.empty());
    }

    private Notice notify(OriginalMessage original, Recipient recipient, Optional<String> destination,
                          Disposition disposition, Optional<String> failure) {
        String to = destination.orElse(null);
        if (!enabled) {
            return new Notice.NotSent(recipient.address(), to, "disabled");
        }
        if (original.isReport()) {
            return new Notice.NotSent(recipient.address(), to, "the message is itself a notification");
        }
        if (to == null) {
            return new Notice.NotSent(recipient.address(), null, "no Disposition-Notification-To or From");
        }
        if (!ReportHeader.plainAddress(to)) {
            return new Notice.NotSent(recipient.address(), to, "destination is not a plain address");
        }
        if (!ReportHeader.plainAddress(recipient.address())) {
            return new Notice.NotSent(recipient.address(), to, "recipient is not a plain address");
        }
        String domain = recipient.address().substring(recipient.address().lastIndexOf('@') + 1);
        Mdn mdn = new Mdn(recipient.address(), to, original.messageId().filter(ReportHeader::plainMessageId),
                recipient.original().filter(ReportHeader::plainAddress), disposition,
                disposition == Disposition.DISPATCHED, domain, failure);
        String messageId = "<" + UUID.randomUUID() + "@" + domain + ">";
        try {
            submission.submit(to, mdn.render(messageId, ZonedDateTime.now(clock)));
        } catch (Submission.SubmissionException e) {
            return new Notice.Failed(recipient.address(), to, e.getMessage());
        }
        return new Notice.Sent(recipient.address(), to, disposition, messageId);
    }
}
