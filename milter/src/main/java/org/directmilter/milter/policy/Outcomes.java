package org.directmilter.milter.policy;

import org.directmilter.milter.config.FailureAction;
import org.directmilter.milter.session.EndOfMessage;
import org.directmilter.milter.session.Modification;
import org.directmilter.milter.session.SmtpReply;
import org.directmilter.milter.session.Verdict;

/** Turns a failure action and the reply for its condition into what the milter answers. */
final class Outcomes {

    private Outcomes() {
    }

    /**
     * At MAIL or RCPT, where nothing can be quarantined or accepted unencrypted: reject (as a 5xx, even
     * for a condition that is temporary by nature, such as a DNS failure), or tempfail (as a 4xx).
     */
    static Verdict atEnvelope(FailureAction action, SmtpReply reply) {
        return action == FailureAction.TEMPFAIL ? Verdict.tempfail(Replies.temporary(reply))
                : Verdict.reject(Replies.permanent(reply));
    }

    /**
     * At end of data. {@code accept} is honoured only where the parser allows it (plaintext incoming
     * mail, non-Direct mail); {@code quarantine} accepts into the MTA's hold queue with the reply text
     * as the reason.
     */
    static EndOfMessage atEndOfMessage(FailureAction action, SmtpReply reply) {
        return switch (action) {
            case TEMPFAIL -> EndOfMessage.of(Verdict.tempfail(Replies.temporary(reply)));
            case QUARANTINE -> EndOfMessage.accept(new Modification.Quarantine(reply.text()));
            case ACCEPT -> EndOfMessage.of(Verdict.ACCEPT);
            case DISCARD -> EndOfMessage.of(Verdict.DISCARD);
            case REJECT -> EndOfMessage.of(Verdict.reject(Replies.permanent(reply)));
        };
    }

    /** How an outcome reads in an audit line. */
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

    static String describe(Verdict v) {
        return describe(EndOfMessage.of(v));
    }
}
