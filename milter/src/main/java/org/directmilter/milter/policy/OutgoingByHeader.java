package org.directmilter.milter.policy;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.directmilter.crypto.keys.KeyStoreException;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.milter.session.EndOfMessage;
import org.directmilter.milter.session.EnvelopeAddress;
import org.directmilter.milter.session.Message;
import org.directmilter.milter.session.Transaction;
import org.directmilter.milter.session.Verdict;

/**
 * End of data for a message whose envelope named no local Direct sender but whose From or Sender is one
 * of ours: a local program's {@code sendmail -t} (envelope sender = its Unix user), or a notice with the
 * null sender. It is outgoing Direct mail all the same, so it is protected, with the recipients'
 * certificates discovered now, or refused; it never passes in clear.
 */
final class OutgoingByHeader {

    private final MessageState state;
    private final Message message;
    private final Transaction transaction;
    private final List<String> authors;

    private OutgoingByHeader(MessageState state, Message message, List<String> authors) {
        this.state = state;
        this.message = message;
        this.transaction = message.transaction();
        this.authors = authors;
    }

    /** The handling for {@code message} when its header names a local Direct author, else null (pass it). */
    static OutgoingByHeader of(MessageState state, Message message) {
        List<String> authors = state.policy.settings().localAuthors(message.headers());
        return authors.isEmpty() ? null : new OutgoingByHeader(state, message, authors);
    }

    EndOfMessage run() throws IOException {
        PolicySettings settings = state.policy.settings();
        String author = signingAddress();
        if (!settings.trustedClient(transaction)) {
            return refused(Outcome.rejected("untrusted-client", Replies.untrustedClient(author)));
        }
        String sender = transaction.sender().address().toLowerCase(Locale.ROOT);
        // The null sender (a notice: an MDN, a report) has no envelope address to compare.
        if (!sender.isEmpty() && settings.routingChecks() && !headerAddresses().contains(sender)) {
            return refused(Outcome.rejected("sender-mismatch", Replies.senderMismatch(sender)));
        }
        List<PrivateKeyEntry> keys;
        try {
            keys = state.policy.keys().keysFor(author);
        } catch (IllegalArgumentException e) {
            keys = List.of();
        } catch (KeyStoreException e) {
            return refused(new Outcome("key-store-error", settings.actions().internalError(), Replies.internalError(),
                    e.getMessage()));
        }
        if (keys.isEmpty()) {
            return refused(new Outcome("no-sender-key", settings.actions().noSenderKey(), Replies.noSenderKey(author),
                    null));
        }
        state.signer(keys.get(0));
        state.route(MessageState.Route.OUTGOING);
        for (EnvelopeAddress recipient : transaction.recipients()) {
            Verdict verdict = DirectHandler.outgoingRecipient(transaction, state, recipient.address(),
                    author.substring(author.lastIndexOf('@') + 1));
            if (!(verdict instanceof Verdict.Continue)) {
                // One body for every recipient: a recipient we cannot encrypt to refuses the whole message
                // here, where no reply per recipient is possible any more.
                return EndOfMessage.of(verdict);
            }
        }
        return new OutgoingProtection(state, message, author).run();
    }

    /** The Sender when it is ours (it is who sends), else the first From address of ours. */
    private String signingAddress() {
        for (String sender : addresses("Sender")) {
            if (authors.contains(sender)) {
                return sender;
            }
        }
        return addresses("From").stream().filter(authors::contains).findFirst().orElse(authors.get(0));
    }

    private List<String> headerAddresses() {
        List<String> all = new java.util.ArrayList<>(addresses("From"));
        all.addAll(addresses("Sender"));
        return all;
    }

    private List<String> addresses(String name) {
        return message.headerValues(name).stream().flatMap(v -> Mailboxes.parse(v).stream()).toList();
    }

    /** Refused as at the envelope: a message that would leave in clear is never accepted or quarantined. */
    private EndOfMessage refused(Outcome outcome) {
        Verdict verdict = outcome.atEnvelope();
        AuditLine.of("outgoing", transaction, outcome.name(), verdict).with("reason", outcome.reason())
                .with("msgid", message.headerValues("Message-ID").stream().findFirst().orElse(null))
                .with("author", signingAddress())
                .with("rcpt", AuditLine.recipients(transaction))
                .log();
        return EndOfMessage.of(verdict);
    }
}
