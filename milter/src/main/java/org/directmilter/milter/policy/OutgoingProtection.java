package org.directmilter.milter.policy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.security.cert.X509Certificate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.directmilter.crypto.smime.ProtectException;
import org.directmilter.crypto.smime.Protected;
import org.directmilter.milter.notify.OriginalMessage;
import org.directmilter.milter.session.EndOfMessage;
import org.directmilter.milter.session.EnvelopeAddress;
import org.directmilter.milter.session.HeaderField;
import org.directmilter.milter.session.Message;
import org.directmilter.milter.session.Modification;
import org.directmilter.milter.session.SpooledBody;
import org.directmilter.milter.session.Transaction;
import org.directmilter.milter.session.Verdict;
import org.directmilter.milter.tracking.TrackingStore;

/**
 * End of data for an outgoing message: check the routing rule, protect to every usable certificate of
 * every accepted recipient, and turn the MTA's copy into exactly the S/MIME engine's outer message.
 */
final class OutgoingProtection {

    /** The outer fields that are copies of the inner message's; the others the engine writes itself. */
    private static final Set<String> COPIED = Set.of("from", "to", "cc", "date", "message-id");

    private final MessageState state;
    private final Message message;
    private final Transaction transaction;
    private final String sender;

    OutgoingProtection(MessageState state, Message message) {
        this(state, message, message.transaction().sender().address());
    }

    /** {@code sender}: who sends, when the envelope does not say (a null sender): names the Message-ID's domain. */
    OutgoingProtection(MessageState state, Message message, String sender) {
        this.state = state;
        this.message = message;
        this.transaction = message.transaction();
        this.sender = sender;
    }

    EndOfMessage run() throws IOException {
        if (alreadyEnveloped(message.headerValues("Content-Type"))) {
            // An S/MIME-aware client (an EHR module) protected it itself: encrypting twice would make it
            // unreadable for the recipient.
            return finish("already-protected", EndOfMessage.of(Verdict.ACCEPT), null);
        }
        String envelopeSender = transaction.sender().address().toLowerCase(Locale.ROOT);
        boolean routingChecks = state.policy.settings().routingChecks();
        if (routingChecks && !envelopeSender.isEmpty() && !senderAddresses().contains(envelopeSender)) {
            return finish("sender-mismatch", EndOfMessage.of(Verdict.reject(Replies.senderMismatch(envelopeSender))),
                    null);
        }
        if (routingChecks) {
            // What a Direct 1.3 receiver demands, we demand of what we send: a blind copy would be protected
            // here and refused there (also by direct-milter), so it is refused here, with the reason.
            Set<String> addressed = addresses("To");
            addressed.addAll(addresses("Cc"));
            for (EnvelopeAddress recipient : transaction.recipients()) {
                if (!addressed.contains(recipient.address().toLowerCase(Locale.ROOT))) {
                    return finish("recipient-not-addressed", EndOfMessage.of(Verdict.reject(
                            Replies.recipientNotAddressed(recipient.address()))), null);
                }
            }
        }
        List<HeaderField> inner = innerHeaders();
        List<X509Certificate> certificates = certificates();
        // The protected body is the message in base64, a third larger: when that is past the threshold it
        // goes to its file from the first byte, instead of filling memory first only to copy it out.
        long threshold = state.policy.spoolThreshold();
        SpooledBody body = new SpooledBody(message.size() / 3 * 4 > threshold ? 0 : threshold,
                state.policy.temporaryDirectory());
        boolean handedOver = false;
        try {
            Protected result;
            try (InputStream in = innerMessage(inner)) {
                result = state.policy.protector().protect(in, state.signer().orElseThrow(
                        () -> new IllegalStateException("outgoing message without a signer")), certificates,
                        body.asOutputStream());
            } catch (ProtectException e) {
                return finish("cannot-protect", EndOfMessage.of(Verdict.reject(Replies.cannotProtect(e.getMessage()))),
                        null);
            }
            // Earlier hops' trace fields stay outside, as RFC 5321 requires; they name hosts, not content.
            List<Modification> changes = new ArrayList<>(HeaderRewrite.replace(message.headers(),
                    HeaderRewrite::isTrace, outerHeaders(result, inner)));
            changes.add(new Modification.ReplaceBody(body));
            EndOfMessage accepted = new EndOfMessage(Verdict.ACCEPT, changes);
            Optional<Record> record = record(inner);
            handedOver = true; // the session deletes the spool once the new body is sent (or the answer is dropped)
            if (record.isEmpty()) {
                return finish("protected", accepted, result, null);
            }
            // The record's commit waits for the disk (or the database server): the session runs it off the
            // CPU workers, and sends the acceptance only once it is committed.
            return accepted.completedBy(() -> commit(record.get(), accepted, result));
        } finally {
            if (!handedOver) {
                body.close();
            }
        }
    }

    /**
     * What is recorded for tracking before the MTA is told to accept the message (so a daemon that dies
     * later still waits for its MDNs); empty when it is not tracked: tracking is off, or it is itself a
     * notification (an MDN or DSN of ours is answered by nothing).
     */
    private Optional<Record> record(List<HeaderField> inner) {
        Tracker tracker = state.policy.tracker();
        if (!tracker.on()) {
            return Optional.empty();
        }
        OriginalMessage original = new OriginalMessage(first(inner, "Message-ID").map(String::strip),
                Mailboxes.parse(first(inner, "From").orElse("")), List.of(),
                first(inner, "Content-Type").orElse("text/plain"), first(inner, "Disposition-Notification-Options").orElse(""));
        if (original.isReport() || original.messageId().isEmpty()) {
            return Optional.empty(); // innerHeaders() gave every message a Message-ID: empty means a report
        }
        String originator = original.from().stream().findFirst().orElse(sender.toLowerCase(Locale.ROOT));
        return Optional.of(new Record(original.messageId().get(), originator, transaction.recipients().stream()
                .map(r -> r.address().toLowerCase(Locale.ROOT)).distinct().toList(),
                original.wantsFinalDelivery(), transaction.queueId().orElse("")));
    }

    /**
     * The completion of a tracked message: its record committed, then its audit line; a tempfail instead of
     * the acceptance when the store failed.
     */
    private Optional<Verdict> commit(Record record, EndOfMessage accepted, Protected result) {
        try {
            state.policy.tracker().record(record.messageId(), record.originator(), record.recipients(),
                    record.timelyAndReliable(), record.queueId());
        } catch (TrackingStore.TrackingException e) {
            // Accepted untracked, a lost message would never be reported to its originator (T4).
            EndOfMessage tempfail = EndOfMessage.of(Verdict.tempfail(Replies.trackingFailed()));
            AuditLine.of("outgoing", message, "tracking-failed", tempfail).with("reason", e.getMessage()).log();
            return Optional.of(tempfail.verdict());
        }
        finish("protected", accepted, result, record.timelyAndReliable() ? "recorded,timely-and-reliable" : "recorded");
        return Optional.empty();
    }

    /** What a protected message is tracked by. */
    private record Record(String messageId, String originator, List<String> recipients, boolean timelyAndReliable,
                          String queueId) {
    }

    /** The first field called {@code name}, unfolded. */
    private static Optional<String> first(List<HeaderField> fields, String name) {
        return fields.stream().filter(h -> h.named(name)).map(HeaderField::text).findFirst();
    }

    private EndOfMessage finish(String outcome, EndOfMessage result, Protected protectedWith) {
        return finish(outcome, result, protectedWith, null);
    }

    private EndOfMessage finish(String outcome, EndOfMessage result, Protected protectedWith, String tracking) {
        AuditLine line = AuditLine.of("outgoing", message, outcome, result).with("tracking", tracking);
        if (protectedWith != null) {
            line.with("cipher", protectedWith.contentCipher()).with("keytransport", protectedWith.keyTransport())
                    .with("signature", protectedWith.signatureAlgorithm())
                    .with("encrypted-to", protectedWith.recipients());
        }
        line.log();
        return result;
    }

    /** Every usable certificate of every recipient the MTA still has, each once. */
    private List<X509Certificate> certificates() {
        Set<X509Certificate> all = new LinkedHashSet<>();
        for (EnvelopeAddress recipient : transaction.recipients()) {
            MessageState.Recipient known = state.recipient(recipient.address()).orElseThrow(
                    () -> new IllegalStateException("no certificates kept for " + recipient.address()));
            all.addAll(known.certificates());
        }
        return new ArrayList<>(all);
    }

    private Set<String> senderAddresses() {
        Set<String> out = addresses("From");
        out.addAll(addresses("Sender"));
        return out;
    }

    private Set<String> addresses(String name) {
        Set<String> out = new LinkedHashSet<>();
        message.headerValues(name).forEach(v -> out.addAll(Mailboxes.parse(v)));
        return out;
    }

    /**
     * The header block that is signed: Date and Message-ID added when the client left them out (inside the
     * signature, so the outer Message-ID the MTA would otherwise invent still equals the inner one), and
     * without Bcc, which every recipient could otherwise read inside.
     */
    private List<HeaderField> innerHeaders() {
        List<HeaderField> out = new ArrayList<>();
        if (message.headerValues("Date").isEmpty()) {
            out.add(HeaderField.of("Date", DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now())));
        }
        if (message.headerValues("Message-ID").isEmpty()) {
            String domain = sender.substring(sender.lastIndexOf('@') + 1);
            out.add(HeaderField.of("Message-ID", "<" + UUID.randomUUID() + "@" + domain + ">"));
        }
        message.headers().stream().filter(h -> !h.named("Bcc")).forEach(out::add);
        return out;
    }

    private InputStream innerMessage(List<HeaderField> headers) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        for (HeaderField header : headers) {
            head.writeBytes(header.toBytes());
        }
        head.writeBytes(new byte[] {'\r', '\n'});
        return new SequenceInputStream(new ByteArrayInputStream(head.toByteArray()), message.body().openStream());
    }

    /**
     * The engine's outer fields, where each copied field is the inner one byte for byte ({@code From:x}
     * stays {@code From:x}): the engine's own fields drop the white space after the colon.
     */
    private static List<HeaderField> outerHeaders(Protected result, List<HeaderField> inner) {
        Map<String, Integer> seen = new HashMap<>();
        List<HeaderField> out = new ArrayList<>();
        for (org.directmilter.crypto.smime.MimeHeaderField field : result.outerHeaders()) {
            String name = field.name().toLowerCase(Locale.ROOT);
            HeaderField copy = null;
            if (COPIED.contains(name)) {
                int wanted = seen.merge(name, 1, Integer::sum);
                copy = inner.stream().filter(h -> h.named(name)).skip(wanted - 1L).findFirst().orElse(null);
            }
            out.add(copy != null ? copy : HeaderRewrite.fromEngine(field));
        }
        return out;
    }

    static boolean alreadyEnveloped(List<String> contentTypes) {
        for (String value : contentTypes) {
            String v = value.toLowerCase(Locale.ROOT);
            boolean pkcs7 = v.startsWith("application/pkcs7-mime") || v.startsWith("application/x-pkcs7-mime");
            boolean signedOnly = v.contains("signed-data") || v.contains("certs-only");
            if (pkcs7 && !signedOnly) {
                return true;
            }
        }
        return false;
    }

}
