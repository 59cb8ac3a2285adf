package org.directmilter.milter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.directmilter.milter.config.FailureAction;
import org.directmilter.milter.session.EndOfMessage;
import org.directmilter.milter.session.Modification;
import org.directmilter.milter.session.SmtpReply;
import org.directmilter.milter.session.Verdict;
import org.junit.jupiter.api.Test;

class OutcomeTest {

    @Test
    void rejectMakesEvenATemporaryConditionPermanent() {
        Verdict dns = new Outcome("dns-error", FailureAction.REJECT, Replies.dnsFailure("bob@x.example", "SERVFAIL"), null).atEnvelope();
        assertThat(dns).isEqualTo(Verdict.reject(new SmtpReply(550, "5.4.3",
                "Direct: certificate lookup for <bob@x.example> failed, try again later: SERVFAIL")));
        EndOfMessage internal = new Outcome("internal-error", FailureAction.REJECT, Replies.internalError(), null).atEndOfMessage();
        assertThat(internal.verdict()).isEqualTo(Verdict.reject(new SmtpReply(550, "5.3.0",
                "Direct: internal error, try again later")));
    }

    @Test
    void tempfailMakesARejectionTemporary() {
        Verdict none = new Outcome("no-certificate", FailureAction.TEMPFAIL, Replies.noCertificate("bob@x.example"), null).atEnvelope();
        assertThat(none).isEqualTo(Verdict.tempfail(new SmtpReply(451, "4.7.1",
                "Direct: no certificate found for <bob@x.example>")));
    }

    @Test
    void quarantineHoldsTheMessageWithTheReasonAndAcceptMeansAccept() {
        EndOfMessage held = new Outcome("unprotected", FailureAction.QUARANTINE, Replies.unprotected(), null).atEndOfMessage();
        assertThat(held.modifications()).containsExactly(
                new Modification.Quarantine("Direct: message must be signed and encrypted"));
        assertThat(AuditLine.describe(held)).isEqualTo("quarantine");
        assertThat(new Outcome("unprotected", FailureAction.ACCEPT, Replies.unprotected(), null).atEndOfMessage().verdict()).isEqualTo(Verdict.ACCEPT);
    }
}
