package org.directmilter.milter.policy;

import static org.assertj.core.api.Assertions.assertThat;

import org.directmilter.milter.config.FailureAction;
import org.directmilter.milter.session.EndOfMessage;
import org.directmilter.milter.session.Modification;
import org.directmilter.milter.session.SmtpReply;
import org.directmilter.milter.session.Verdict;
import org.junit.jupiter.api.Test;

class OutcomesTest {

    @Test
    void rejectMakesEvenATemporaryConditionPermanent() {
        Verdict dns = Outcomes.atEnvelope(FailureAction.REJECT, Replies.dnsFailure("bob@x.example", "SERVFAIL"));
        assertThat(dns).isEqualTo(Verdict.reject(new SmtpReply(550, "5.4.3",
                "Direct: certificate lookup for <bob@x.example> failed, try again later: SERVFAIL")));
        EndOfMessage internal = Outcomes.atEndOfMessage(FailureAction.REJECT, Replies.internalError());
        assertThat(internal.verdict()).isEqualTo(Verdict.reject(new SmtpReply(550, "5.3.0",
                "Direct: internal error, try again later")));
    }

    @Test
    void tempfailMakesARejectionTemporary() {
        Verdict none = Outcomes.atEnvelope(FailureAction.TEMPFAIL, Replies.noCertificate("bob@x.example"));
        assertThat(none).isEqualTo(Verdict.tempfail(new SmtpReply(451, "4.7.1",
                "Direct: no certificate found for <bob@x.example>")));
    }

    @Test
    void quarantineHoldsTheMessageWithTheReasonAndAcceptMeansAccept() {
        EndOfMessage held = Outcomes.atEndOfMessage(FailureAction.QUARANTINE, Replies.unprotected());
        assertThat(held.modifications()).containsExactly(
                new Modification.Quarantine("Direct: message must be signed and encrypted"));
        assertThat(Outcomes.describe(held)).isEqualTo("quarantine");
        assertThat(Outcomes.atEndOfMessage(FailureAction.ACCEPT, Replies.unprotected()).verdict()).isEqualTo(Verdict.ACCEPT);
    }
}
