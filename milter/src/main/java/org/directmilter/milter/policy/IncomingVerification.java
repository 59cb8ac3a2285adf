package org.directmilter.milter.policy;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.directmilter.crypto.keys.KeyStoreException;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.SpooledMessage;
import org.directmilter.crypto.smime.UnprotectResult;
import org.directmilter.crypto.text.LogSafe;
import org.directmilter.crypto.trust.Certificates;
import org.directmilter.crypto.trust.ValidationBudget;
import org.directmilter.crypto.trust.ValidationResult;
import org.directmilter.milter.config.FailureAction;
import org.directmilter.milter.notify.Disposition;
import org.directmilter.milter.notify.Notice;
import org.directmilter.milter.notify.Notifier;
import org.directmilter.milter.notify.OriginalMessage;
import org.directmilter.milter.session.ByteSource;
import org.directmilter.milter.session.EndOfMessage;
import org.directmilter.milter.session.EnvelopeAddress;
import org.directmilter.milter.session.HeaderField;
import org.directmilter.milter.session.Message;
import org.directmilter.milter.session.Modification;
import org.directmilter.milter.session.SmtpReply;
import org.directmilter.milter.session.Transaction;
import org.directmilter.milter.tracking.Correlation;
import org.directmilter.milter.tracking.RecipientState;
import org.directmilter.milter.tracking.Report;
import org.directmilter.milter.tracking.TrackingStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * End of data for an incoming message: decrypt with the local recipients' keys, verify, judge the
 * signer by each recipient domain's incoming anchors, check the Direct 1.3 routing rules, and hand the
 * MTA the verified inner message with one trace header.
 */
final class IncomingVerification {
    private static final Logger log = LoggerFactory.getLogger(DirectHandler.class);

    /** The trace header; one arriving from outside is removed first, so only ours is ever seen. */
    static final String TRACE_HEADER = "X-Direct-Verified";

    /**
     * Marks a verified message whose sender asked for timely and reliable delivery, for the MTA: Postfix
     * passes a milter's NOTIFY on to the queue but reports success only for NOTIFY given at RCPT, so its
     * {@code milter_header_checks} send a message with this header through a loopback hop that receives
     * it again with that NOTIFY (docs/mta-configuration.md). One arriving from outside is removed first.
     */
    static final String FINAL_DELIVERY_HEADER = "X-Direct-Final-Delivery";

    /** What each failure to unprotect answers (a kind not listed here is malformed): a reason in, an outcome out. */
    private static final Function<String, Outcome> MALFORMED = why -> Outcome.rejected("malformed", Replies.malformed(why));
    private static final Map<Class<? extends UnprotectResult.Failure>, Function<String, Outcome>> FAILURES = Map.of(
            UnprotectResult.NoKey.class, why -> Outcome.rejected("no-key", Replies.undecryptable(why)),
            UnprotectResult.Corrupt.class, why -> Outcome.rejected("corrupt", Replies.undecryptable(why)),
            UnprotectResult.WeakAlgorithm.class, why -> Outcome.rejected("weak-algorithm", Replies.weakAlgorithm(why)),
            UnprotectResult.MalformedMime.class, MALFORMED);

    private final MessageState state;
    private final Message message;
    private final Transaction transaction;

    IncomingVerification(MessageState state, Message message) {
        this.state = state;
        this.message = message;
        this.transaction = message.transaction();
    }

    EndOfMessage run() throws IOException, KeyStoreException {
        List<PrivateKeyEntry> keys = recipientKeys();
        UnprotectResult result;
        try (InputStream in = message.openStream()) {
            result = state.policy.unprotector().unprotect(in, message.size(), keys);
        }
        if (result instanceof UnprotectResult.Failure failure) {
            return failed(failure);
        }
        UnprotectResult.Verified verified = (UnprotectResult.Verified) result;
        boolean handedOver = false;
        try {
            EndOfMessage outcome = judge(verified);
            handedOver = outcome.modifications().stream().anyMatch(m -> m instanceof Modification.ReplaceBody);
            return outcome;
        } finally {
            if (!handedOver) {
                verified.close();
            }
        }
    }

    private EndOfMessage judge(UnprotectResult.Verified verified) throws IOException {
        SpooledMessage.Head head;
        try {
            head = verified.message().head();
        } catch (IOException e) {
            // the inner header block is decrypted content: the constant reply, the category only
            return finishNotVerified(UnprotectResult.Category.INNER_MIME);
        }
        InnerHeaders inner = new InnerHeaders(head.fields());
        List<String> from = inner.addresses("From");
        if (from.isEmpty()) {
            return finish("malformed", reject(Replies.malformed("the protected message has no From address")),
                    verified, null);
        }
        if (state.policy.settings().routingChecks()) {
            String sender = transaction.sender().address().toLowerCase(Locale.ROOT);
            Set<String> senders = new LinkedHashSet<>(from);
            senders.addAll(inner.addresses("Sender"));
            // Null-sender mail (delivery notifications) has no envelope sender to compare.
            if (!sender.isEmpty() && !senders.contains(sender)) {
                return finish("sender-mismatch", reject(Replies.senderMismatch(sender)), verified, null);
            }
            Set<String> addressed = new LinkedHashSet<>(inner.addresses("To"));
            addressed.addAll(inner.addresses("Cc"));
            for (EnvelopeAddress recipient : transaction.recipients()) {
                if (!addressed.contains(recipient.address().toLowerCase(Locale.ROOT))) {
                    return finish("recipient-not-addressed", reject(Replies.recipientNotAddressed(recipient.address())),
                            verified, null);
                }
            }
        }
        Map<String, ValidationResult> byDomain = signerVerdicts(verified, from.get(0));
        List<Modification> changes = new ArrayList<>();
        List<EnvelopeAddress> refused = new ArrayList<>();
        for (EnvelopeAddress recipient : transaction.recipients()) {
            if (!byDomain.get(recipient.domain()).usable()) {
                changes.add(new Modification.DeleteRecipient(recipient.raw()));
                refused.add(recipient);
            }
        }
        ValidationResult trusted = byDomain.values().stream().filter(ValidationResult::usable).findFirst().orElse(null);
        if (trusted == null) {
            ValidationResult first = byDomain.values().iterator().next();
            // Revocation status unknown (On-RevocationUnknown tempfail): the sender retries later.
            boolean temporary = byDomain.values().stream().allMatch(ValidationResult::temporary);
            String name = temporary ? "revocation-unknown" : "untrusted";
            return finish(name, new Outcome(name, temporary ? FailureAction.TEMPFAIL
                    : state.policy.settings().actions().untrusted(), Replies.untrustedSigner(first.reason()), null)
                    .atEndOfMessage(), verified, byDomain);
        }
        for (EnvelopeAddress recipient : refused) {
            AuditLine.of("incoming-recipient", transaction, "removed-untrusted", null)
                    .with("rcpt", recipient.address()).with("reason", byDomain.get(recipient.domain()).explanation())
                    .log();
        }
        List<HeaderField> replacement = new ArrayList<>();
        // Trace fields of the hops so far stay outside: RFC 5321 forbids removing them. The sender's own
        // hops are inside as well (its direct-milter signed them and kept them outside): one copy of each,
        // or every Direct hop would count twice against the MTA's hop limit.
        List<HeaderField> outerTrace = new ArrayList<>(message.headers().stream().filter(HeaderRewrite::isTrace).toList());
        List<HeaderField> innerFields;
        try (InputStream in = verified.message().openStream()) {
            innerFields = HeaderBlock.read(in, head.bodyOffset());
        }
        if (!sameNames(innerFields, head.fields())) {
            // Never lose a field to a disagreement between the two readers: the engine's fields then, with
            // their white space after the colon normalised.
            innerFields = head.fields().stream().map(HeaderRewrite::fromEngine).toList();
        }
        for (HeaderField field : innerFields) {
            if (!field.named(TRACE_HEADER) && !field.named(FINAL_DELIVERY_HEADER)
                    && !(HeaderRewrite.isTrace(field) && removeSame(outerTrace, field))) {
                replacement.add(field);
            }
        }
        replacement.add(HeaderField.of(TRACE_HEADER, traceValue(from.get(0), trusted, verified)));
        String notify = state.policy.settings().incomingEnvelopeSender();
        OriginalMessage original = original(inner);
        boolean finalDelivery = original.wantsFinalDelivery() && !notify.isEmpty() && !original.isReport();
        if (finalDelivery) {
            replacement.add(HeaderField.of(FINAL_DELIVERY_HEADER, "requested"));
        }
        changes.addAll(HeaderRewrite.replace(message.headers(), HeaderRewrite::isTrace, replacement));
        changes.add(new Modification.ReplaceBody(new InnerBody(verified, head.bodyOffset())));
        // Every notice about this message (bounce, delay, success DSN: RET=FULL quotes it) goes to this
        // sender, never back to the remote one: the MTA would send the decrypted message in clear.
        changes.add(new Modification.ChangeFrom("<" + notify + ">", ""));
        List<EnvelopeAddress> delivered = new ArrayList<>(transaction.recipients());
        delivered.removeAll(refused);
        if (ReturnedReports.isMdn(original.contentType()) && state.policy.tracker().on()) {
            // Only here, decrypted and its signer trusted, can an MDN say anything about what we sent.
            Optional<EndOfMessage> instead = correlateMdn(verified, from.get(0));
            if (instead.isPresent()) {
                return finish(instead.get().verdict() instanceof org.directmilter.milter.session.Verdict.Discard
                        ? "tracking-suppressed" : "tracking-failed", instead.get(), verified, byDomain);
            }
        }
        if (finalDelivery) {
            // Timely and reliable delivery: the MTA reports success as well as failure, to the notification
            // address, whose `direct-milter notify` turns them into dispatched and failed MDNs.
            for (EnvelopeAddress recipient : delivered) {
                changes.add(new Modification.DeleteRecipient(recipient.raw()));
                // the ORCPT the sender's MTA gave stays: the report names the recipient as the sender wrote it
                List<String> dsn = new ArrayList<>(List.of("NOTIFY=SUCCESS,FAILURE"));
                recipient.parameters().stream().filter(p -> p.regionMatches(true, 0, "ORCPT=", 0, 6))
                        .findFirst().ifPresent(dsn::add);
                changes.add(new Modification.AddRecipient(recipient.raw(), String.join(" ", dsn)));
            }
        }
        EndOfMessage accepted = new EndOfMessage(org.directmilter.milter.session.Verdict.ACCEPT, changes);
        // Handing the MDNs over waits for the MTA's submission command: the session runs it off the CPU
        // workers, and sends the acceptance only once it let it go.
        return accepted.completedBy(() -> handOver(original, delivered, accepted, verified, byDomain));
    }

    /**
     * The completion of a verified message: its MDNs handed over, then its audit line; a tempfail instead
     * of the acceptance when one was not taken (or the hand-off failed unexpectedly: fail closed).
     */
    private Optional<org.directmilter.milter.session.Verdict> handOver(OriginalMessage original,
            List<EnvelopeAddress> delivered, EndOfMessage accepted, UnprotectResult.Verified verified,
            Map<String, ValidationResult> byDomain) {
        boolean notified;
        try {
            notified = notified(original, delivered);
        } catch (RuntimeException e) {
            log.error("internal error handing notifications over (queue id {})",
                    LogSafe.escape(transaction.queueId().orElse("-")), e);
            EndOfMessage failed = EndOfMessage.of(org.directmilter.milter.session.Verdict.tempfail(Replies.internalError()));
            AuditLine.of("incoming", message, "internal-error", failed)
                    .with("reason", e.getClass().getSimpleName() + ": " + e.getMessage()).log();
            return Optional.of(failed.verdict());
        }
        if (!notified) {
            EndOfMessage failed = EndOfMessage.of(
                    org.directmilter.milter.session.Verdict.tempfail(Replies.notificationFailed()));
            finish("notification-failed", failed, verified, byDomain);
            return Optional.of(failed.verdict());
        }
        finish("verified", accepted, verified, byDomain);
        return Optional.empty();
    }

    /**
     * Correlates a verified MDN with the message it reports on; empty to deliver it, else what to answer
     * instead: discard (a duplicate, or a processed MDN swallowed under T6) or tempfail (the store failed:
     * the partner sends it again). The Final-Recipient must be of the signer's domain: a HISP trusted for
     * its own addresses cannot report on another HISP's recipients.
     */
    private Optional<EndOfMessage> correlateMdn(UnprotectResult.Verified verified, String signer) throws IOException {
        Optional<Report> report;
        try (InputStream in = verified.message().openStream()) {
            report = ReturnedReports.mdn(new String(in.readNBytes(ReturnedReports.MAX_READ),
                    java.nio.charset.StandardCharsets.ISO_8859_1), state.policy.tracker().now());
        }
        if (report.isEmpty()) {
            return Optional.empty();
        }
        String recipientDomain = report.get().recipient().substring(report.get().recipient().lastIndexOf('@') + 1);
        if (!recipientDomain.equalsIgnoreCase(signer.substring(signer.lastIndexOf('@') + 1))) {
            trackingLine("foreign-recipient", report.get()).with("signer", signer).log();
            return Optional.empty();
        }
        List<Correlation> correlations = correlate(List.of(report.get()));
        if (correlations.isEmpty()) {
            return Optional.of(EndOfMessage.of(org.directmilter.milter.session.Verdict.tempfail(Replies.trackingFailed())));
        }
        Correlation meant = correlations.get(0);
        boolean swallowProcessed = report.get().kind() == Report.Kind.PROCESSED
                && !state.policy.tracker().settings().deliverProcessed()
                && (meant instanceof Correlation.Progress || meant instanceof Correlation.Completed);
        if (meant instanceof Correlation.Duplicate || swallowProcessed) {
            return Optional.of(EndOfMessage.of(org.directmilter.milter.session.Verdict.DISCARD));
        }
        return Optional.empty();
    }

    /**
     * Correlates each report and audits each (one {@code event=tracking} line per report); empty when the
     * store failed (audited too): the caller tempfails.
     */
    private List<Correlation> correlate(List<Report> reports) {
        List<Correlation> out = new ArrayList<>();
        for (Report report : reports) {
            Correlation meant;
            try {
                meant = state.policy.tracker().correlate(report);
            } catch (TrackingStore.TrackingException e) {
                trackingLine("store-failed", report).with("reason", e.getMessage()).log();
                return List.of();
            }
            RecipientState now = null;
            String outcome = "unknown";
            if (meant instanceof Correlation.Progress p) {
                outcome = "progress";
                now = p.state();
            } else if (meant instanceof Correlation.Completed c) {
                outcome = "completed";
                now = c.state();
            } else if (meant instanceof Correlation.Duplicate d) {
                outcome = "duplicate";
                now = d.state();
            }
            trackingLine(outcome, report).with("state", now == null ? null : now.name().toLowerCase(Locale.ROOT)).log();
            out.add(meant);
        }
        return out;
    }

    private AuditLine trackingLine(String outcome, Report report) {
        return AuditLine.of("tracking", transaction, outcome, null).with("msgid", report.originalMessageId())
                .with("rcpt", report.recipient()).with("report", report.kind().name().toLowerCase(Locale.ROOT))
                .with("detail", report.detail());
    }

    /**
     * A plaintext failure DSN about one of our messages: each failed recipient correlated. Empty to deliver
     * it as any delivery report; discard when it told nothing new (every recipient a duplicate); tempfail
     * when the store failed. Our own timeout DSNs (marked) are not correlated with the record they end.
     */
    private Optional<EndOfMessage> correlateDsn() throws IOException {
        if (!state.policy.tracker().on() || message.headerValues(TimeoutNotice.MARKER).stream()
                .anyMatch(v -> v.strip().equalsIgnoreCase(TimeoutNotice.MARKER_VALUE))) {
            return Optional.empty();
        }
        List<Report> reports;
        try (InputStream in = message.openStream()) {
            reports = ReturnedReports.dsn(new String(in.readNBytes(ReturnedReports.MAX_READ),
                    java.nio.charset.StandardCharsets.ISO_8859_1), state.policy.tracker().now());
        }
        if (reports.isEmpty()) {
            return Optional.empty();
        }
        List<Correlation> correlations = correlate(reports);
        if (correlations.isEmpty()) {
            return Optional.of(EndOfMessage.of(org.directmilter.milter.session.Verdict.tempfail(Replies.trackingFailed())));
        }
        if (correlations.stream().allMatch(c -> c instanceof Correlation.Duplicate)) {
            return Optional.of(EndOfMessage.of(org.directmilter.milter.session.Verdict.DISCARD));
        }
        return Optional.empty();
    }

    /**
     * Sends the {@code processed} MDNs for the recipients the message is delivered to and audits each
     * one; false when one could not be handed to the MTA, so that the message is tempfailed and sent
     * again rather than accepted without its notification.
     */
    private boolean notified(OriginalMessage original, List<EnvelopeAddress> delivered) {
        List<Notice> notices = state.policy.notifier().processed(original, delivered.stream()
                .map(r -> Notifier.Recipient.of(r.address(), r.parameters())).toList());
        for (Notice notice : notices) {
            AuditLine line = AuditLine.of("notification", transaction, notice.outcome(), null)
                    .with("disposition", Disposition.PROCESSED.text()).with("rcpt", notice.recipient())
                    .with("msgid", original.messageId().orElse(null));
            if (notice instanceof Notice.Sent sent) {
                line.with("to", sent.destination()).with("mdn", sent.messageId());
            } else if (notice instanceof Notice.NotSent skipped) {
                line.with("to", skipped.destination()).with("reason", skipped.reason());
            } else if (notice instanceof Notice.Failed failed) {
                line.with("to", failed.destination()).with("reason", failed.reason());
            }
            line.log();
        }
        return notices.stream().noneMatch(n -> n instanceof Notice.Failed);
    }

    /** What the notifications need of the inner message. */
    private static OriginalMessage original(InnerHeaders inner) {
        return new OriginalMessage(inner.value("Message-ID").map(String::strip), inner.addresses("From"),
                inner.addresses("Disposition-Notification-To"), inner.value("Content-Type").orElse("text/plain"),
                inner.value("Disposition-Notification-Options").orElse(""));
    }

    private static boolean sameNames(List<HeaderField> raw, List<org.directmilter.crypto.smime.MimeHeaderField> parsed) {
        if (raw.size() != parsed.size()) {
            return false;
        }
        for (int i = 0; i < raw.size(); i++) {
            if (!raw.get(i).name().equalsIgnoreCase(parsed.get(i).name())) {
                return false;
            }
        }
        return true;
    }

    /** Removes from {@code fields} one field equal to {@code field} (name and unfolded text); whether there was one. */
    private static boolean removeSame(List<HeaderField> fields, HeaderField field) {
        for (int i = 0; i < fields.size(); i++) {
            if (fields.get(i).name().equalsIgnoreCase(field.name()) && fields.get(i).text().equals(field.text())) {
                fields.remove(i);
                return true;
            }
        }
        return false;
    }

    /** For each local recipient domain, the first signer it trusts, or the first refusal when it trusts none. */
    private Map<String, ValidationResult> signerVerdicts(UnprotectResult.Verified verified, String fromAddress) {
        Map<String, ValidationResult> out = new LinkedHashMap<>();
        // One budget for the whole message: its signers' number and URLs are the sender's choice.
        ValidationBudget budget = state.policy.validator().newBudget();
        for (EnvelopeAddress recipient : transaction.recipients()) {
            out.computeIfAbsent(recipient.domain(),
                    domain -> SignerTrust.judge(state.policy.validator(), verified, fromAddress, domain, budget));
        }
        return out;
    }

    private static String traceValue(String signer, ValidationResult trusted, UnprotectResult.Verified verified) {
        return "signer=" + signer + "; sha256=" + Certificates.sha256(trusted.certificate())
                + "; cipher=" + verified.algorithms().contentEncryption()
                + "; signature=" + String.join(",", verified.algorithms().signatures());
    }

    private List<PrivateKeyEntry> recipientKeys() throws KeyStoreException {
        Set<PrivateKeyEntry> keys = new LinkedHashSet<>();
        for (EnvelopeAddress recipient : transaction.recipients()) {
            try {
                keys.addAll(state.policy.keys().keysFor(recipient.address()));
            } catch (IllegalArgumentException e) {
                // no key file can be named after this address, so it has no key
            }
        }
        return new ArrayList<>(keys);
    }

    private EndOfMessage failed(UnprotectResult.Failure failure) throws IOException {
        String reason = failure.reason();
        if (failure instanceof UnprotectResult.NotSmime) {
            if (transaction.sender().address().isEmpty() && isDeliveryReport()) {
                Optional<EndOfMessage> instead = correlateDsn();
                if (instead.isPresent()) {
                    return finishFailure(instead.get().verdict() instanceof org.directmilter.milter.session.Verdict.Discard
                            ? "tracking-suppressed" : "tracking-failed", instead.get(), null);
                }
                // Remote MTAs send bounces in plaintext; they carry no Direct content of their own.
                List<Modification> changes = new ArrayList<>(HeaderRewrite.deleteAll(message.headers(), TRACE_HEADER));
                changes.add(new Modification.AddHeader(HeaderField.of(TRACE_HEADER, "none; unprotected delivery report")));
                return finish("delivery-report", new EndOfMessage(org.directmilter.milter.session.Verdict.ACCEPT, changes),
                        null, null);
            }
            EndOfMessage outcome = new Outcome("unprotected", state.policy.settings().actions().unprotected(),
                    Replies.unprotected(), reason).atEndOfMessage();
            if (outcome.verdict() instanceof org.directmilter.milter.session.Verdict.Accept) {
                List<Modification> changes = new ArrayList<>(outcome.modifications());
                changes.addAll(HeaderRewrite.deleteAll(message.headers(), TRACE_HEADER));
                outcome = new EndOfMessage(outcome.verdict(), changes);
            }
            return finishFailure("unprotected", outcome, reason);
        }
        if (failure instanceof UnprotectResult.NotVerified notVerified) {
            return finishNotVerified(notVerified.category());
        }
        Outcome outcome = FAILURES.getOrDefault(failure.getClass(), MALFORMED).apply(reason);
        return finishFailure(outcome.name(), outcome.atEndOfMessage(), reason);
    }

    private boolean isDeliveryReport() {
        return message.headerValues("Content-Type").stream().map(v -> v.toLowerCase(Locale.ROOT))
                .anyMatch(v -> v.startsWith("multipart/report") && v.contains("delivery-status"));
    }

    private static EndOfMessage reject(SmtpReply reply) {
        return EndOfMessage.of(org.directmilter.milter.session.Verdict.of(reply));
    }

    /** One reply for every cause; the audit line gets the category, never a reason built from content. */
    private EndOfMessage finishNotVerified(UnprotectResult.Category category) {
        EndOfMessage result = reject(Replies.notVerified());
        AuditLine.of("incoming", message, "not-verified", result).with("category", category.label()).log();
        return result;
    }

    private EndOfMessage finishFailure(String outcome, EndOfMessage result, String reason) {
        AuditLine.of("incoming", message, outcome, result).with("reason", reason).log();
        return result;
    }

    private EndOfMessage finish(String outcome, EndOfMessage result, UnprotectResult.Verified verified,
                                Map<String, ValidationResult> byDomain) {
        AuditLine line = AuditLine.of("incoming", message, outcome, result);
        if (verified != null) {
            line.with("cipher", verified.algorithms().contentEncryption())
                    .with("keytransport", verified.algorithms().keyTransport())
                    .with("signature", String.join(",", verified.algorithms().signatures()))
                    .with("form", verified.algorithms().signatureForm().name().toLowerCase(Locale.ROOT));
        }
        if (byDomain != null) {
            byDomain.forEach((domain, verdict) -> line.with("signer." + domain,
                    CertificateIdentity.describe(verdict) + (verdict.usable() ? "" : ",refused:" + verdict.explanation())));
        }
        line.log();
        return result;
    }

    /** The inner message's header fields, for address lookups. */
    private record InnerHeaders(List<org.directmilter.crypto.smime.MimeHeaderField> fields) {
        /** The first field called {@code name}, unfolded. */
        Optional<String> value(String name) {
            return fields.stream().filter(f -> f.is(name)).map(f -> f.unfolded()).findFirst();
        }

        List<String> addresses(String name) {
            return SignerTrust.addresses(fields, name);
        }
    }

    /** The verified inner body, read from the unprotector's spool; closing it deletes the spool. */
    private static final class InnerBody implements ByteSource, java.io.Closeable {
        private final UnprotectResult.Verified verified;
        private final long offset;

        InnerBody(UnprotectResult.Verified verified, long offset) {
            this.verified = verified;
            this.offset = offset;
        }

        @Override
        public InputStream openStream() {
            return verified.message().openStream(offset);
        }

        @Override
        public long size() {
            return verified.message().size() - offset;
        }

        @Override
        public void close() {
            verified.close();
        }
    }
}
