package org.directmilter.milter.testkit;

import java.nio.charset.StandardCharsets;
import org.directmilter.milter.session.ByteSource;
import org.directmilter.milter.session.EndOfMessage;
import org.directmilter.milter.session.EnvelopeAddress;
import org.directmilter.milter.session.HeaderField;
import org.directmilter.milter.session.Message;
import org.directmilter.milter.session.MessageHandler;
import org.directmilter.milter.session.Modification;
import org.directmilter.milter.session.SmtpReply;
import org.directmilter.milter.session.Transaction;
import org.directmilter.milter.session.Verdict;

/**
 * A stand-in for the Direct policy with the shapes the real one will use: reject a sender at MAIL,
 * refuse one recipient at RCPT, and at end of message replace the body and add a header.
 */
public final class SampleHandler implements MessageHandler {

    public static final String REPLACED_BODY = "REPLACED BODY by direct-milter\r\n";

    @Override
    public Verdict mail(Transaction transaction) {
        if (transaction.sender().domain().equals("untrusted.test")) {
            return Verdict.reject(SmtpReply.reject("5.7.1", "untrusted sender"));
        }
        return Verdict.CONTINUE;
    }

    @Override
    public Verdict recipient(Transaction transaction, EnvelopeAddress recipient) {
        if (recipient.address().startsWith("nocert@")) {
            return Verdict.reject(SmtpReply.reject("5.7.1", "no certificate for " + recipient.address()));
        }
        return Verdict.CONTINUE;
    }

    @Override
    public EndOfMessage endOfMessage(Message message) {
        return EndOfMessage.accept(
                new Modification.AddHeader(HeaderField.of("X-Direct-Milter", "recipients="
                        + message.transaction().recipients().size())),
                new Modification.ReplaceBody(ByteSource.of(REPLACED_BODY.getBytes(StandardCharsets.US_ASCII))));
    }
}
