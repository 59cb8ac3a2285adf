package org.directmilter.milter.session;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Handlers that exercise the seam: replace the body and add a header, or reject a sender. */
public final class TestHandlers {
    private TestHandlers() {
    }

    /** Replaces every body with {@code body} and adds {@code header: value}. */
    public static MessageHandler replaceBody(String body, String header, String value) {
        return message -> EndOfMessage.accept(
                new Modification.AddHeader(HeaderField.of(header, value)),
                new Modification.ReplaceBody(ByteSource.of(body.getBytes(StandardCharsets.UTF_8))));
    }

    /** Rejects senders of one domain at MAIL with the given reply; accepts everything else unchanged. */
    public static MessageHandler rejectSendersFrom(String domain, SmtpReply reply) {
        return new MessageHandler() {
            @Override
            public Verdict mail(Transaction transaction) {
                return transaction.sender().domain().equals(domain) ? Verdict.of(reply) : Verdict.CONTINUE;
            }

            @Override
            public EndOfMessage endOfMessage(Message message) {
                return new EndOfMessage(Verdict.ACCEPT, List.of());
            }
        };
    }
}
