package org.directmilter.milter.policy;

import org.directmilter.milter.config.FailureAction;
import org.directmilter.milter.session.EndOfMessage;
import org.directmilter.milter.session.Modification;
import org.directmilter.milter.session.SmtpReply;
import org.directmilter.milter.session.Verdict;

/**
 * One named condition of the policy: its audit name ({@code outcome=}), the failure action configured
 * for it ({@code reject} where the configuration has no key), the reply that tells the client, and the
 * reason the audit line gives (none where the name says it all).
 */
record Outcome(String name, FailureAction action, SmtpReply reply, String reason) {

    /** A condition always refused with {@code reply}. */
    static Outcome rejected(String name, SmtpReply reply) {
        return new Outcome(name, FailureAction.REJECT, reply, null);
    }

    /**
     * At MAIL or RCPT, where nothing can be quarantined or accepted unencrypted: reject (as a 5xx, even
     * for a condition that is temporary by nature, such as a DNS failure), or tempfail (as a 4xx).
     */
    Verdict atEnvelope() {
        return action == FailureAction.TEMPFAIL ? Verdict.tempfail(Replies.temporary(reply))
                : Verdict.reject(Replies.permanent(reply));
    }

    /**
     * At end of data. {@code accept} is honoured only where the parser allows it (plaintext incoming
     * mail, non-Direct mail); {@code quarantine} accepts into the MTA's hold queue with the reply text
     * as the reason.
     */
    EndOfMessage atEndOfMessage() {
        return switch (action) {
            case TEMPFAIL -> EndOfMessage.of(Verdict.tempfail(Replies.temporary(reply)));
            case QUARANTINE -> EndOfMessage.accept(new Modification.Quarantine(reply.text()));
            case ACCEPT -> EndOfMessage.of(Verdict.ACCEPT);
            case DISCARD -> EndOfMessage.of(Verdict.DISCARD);
            case REJECT -> EndOfMessage.of(Verdict.reject(Replies.permanent(reply)));
        };
    }
}
