package org.directmilter.milter.policy;

import org.directmilter.crypto.text.LogSafe;
import org.directmilter.milter.metrics.Metrics;
import org.directmilter.milter.session.EndOfMessage;
import org.directmilter.milter.session.EnvelopeAddress;
import org.directmilter.milter.session.Message;
import org.directmilter.milter.session.Modification;
import org.directmilter.milter.session.SmtpReply;
import org.directmilter.milter.session.Transaction;
import org.directmilter.milter.session.Verdict;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One audit record: {@code event=... key=value ...}, each key and value through {@link LogSafe}, so
 * whatever an address, a header or a certificate holds stays one value on one line. Logged under the
 * logger {@value #LOGGER} so an operator can route it on its own. Callers put in addresses, certificate
 * identities, algorithms, outcomes and replies — never a Subject or body (PHI), never key material.
 */
final class AuditLine {

    static final String LOGGER = "org.directmilter.audit";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final StringBuilder text = new StringBuilder(256);
    private final String event;
    private String outcome;
    private String reply;

    private AuditLine(String event) {
        this.event = event;
        text.append("event=").append(LogSafe.value(event));
    }

    /**
     * The fields every line starts with: event, queue id, envelope sender, outcome and reply; a
     * decision that answers nothing (a removed recipient) passes no {@code verdict}.
     */
    static AuditLine of(String event, Transaction transaction, String outcome, Verdict verdict) {
        return start(event, transaction, outcome, verdict == null ? null : describe(EndOfMessage.of(verdict)));
    }

    /** An end-of-data line: the shared fields, then the message's Message-ID, recipients and size. */
    static AuditLine of(String event, Message message, String outcome, EndOfMessage result) {
        return start(event, message.transaction(), outcome, describe(result))
                .with("msgid", message.headerValues("Message-ID").stream().findFirst().orElse(null))
                .with("rcpt", recipients(message.transaction()))
                .with("size", message.size());
    }

    /** A line about no message in flight (the tracking timer's): event and outcome only, then the caller's fields. */
    static AuditLine of(String event, String outcome) {
        AuditLine line = new AuditLine(event);
        line.outcome = outcome;
        return line.with("outcome", outcome);
    }

    private static AuditLine start(String event, Transaction transaction, String outcome, String reply) {
        AuditLine line = new AuditLine(event);
        line.outcome = outcome;
        line.reply = reply;
        return line.with("queue", transaction.queueId().orElse(null))
                .with("from", transaction.sender().address().isEmpty() ? "<>" : transaction.sender().address())
                .with("outcome", outcome).with("reply", reply);
    }

    /** Every envelope recipient, comma separated. */
    static String recipients(Transaction transaction) {
        StringBuilder out = new StringBuilder();
        for (EnvelopeAddress recipient : transaction.recipients()) {
            if (!out.isEmpty()) {
                out.append(',');
            }
            out.append(recipient.address());
        }
        return out.toString();
    }

    /** Adds {@code key=value}; absent or empty values are left out so lines stay short. */
    AuditLine with(String key, Object value) {
        if (value == null) {
            return this;
        }
        String v = String.valueOf(value);
        if (v.isEmpty()) {
            return this;
        }
        text.append(' ').append(LogSafe.key(key)).append('=').append(LogSafe.value(v));
        return this;
    }

    void log() {
        log.info("{}", text);
        Metrics.decision(event, outcome, reply);
    }

    @Override
    public String toString() {
        return text.toString();
    }

    /** How an answer reads in the {@code reply} field. */
    static String describe(EndOfMessage result) {
        Verdict v = result.verdict();
        if (v instanceof Verdict.Reject r) {
            return r.reply().map(SmtpReply::toString).orElse("5xx");
        } else if (v instanceof Verdict.Tempfail t) {
            return t.reply().map(SmtpReply::toString).orElse("4xx");
        } else if (result.modifications().stream().anyMatch(m -> m instanceof Modification.Quarantine)) {
            return "quarantine";
        }
        if (v instanceof Verdict.Continue) {
            return "continue";
        }
        return v instanceof Verdict.Discard ? "discard" : "accept";
    }
}
