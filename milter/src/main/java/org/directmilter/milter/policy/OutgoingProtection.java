package org.directmilter.milter.policy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import org.directmilter.crypto.smime.ProtectException;
import org.directmilter.crypto.smime.Protected;
import org.directmilter.milter.session.EndOfMessage;
import org.directmilter.milter.session.EnvelopeAddress;
import org.directmilter.milter.session.HeaderField;
import org.directmilter.milter.session.Message;
import org.directmilter.milter.session.Modification;
import org.directmilter.milter.session.SpooledBody;
import org.directmilter.milter.session.Transaction;
import org.directmilter.milter.session.Verdict;

/**
 * End of data for an outgoing message: check the routing rule, protect to every usable certificate of
 * every accepted recipient, and turn the MTA's copy into exactly the S/MIME engine's outer message.
 */
final class OutgoingProtection {

    private final MessageState state;
    private final Message message;
    private final Transaction transaction;

    OutgoingProtection(MessageState state, Message message) {
        this.state = state;
        this.message = message;
        this.transaction = message.transaction();
    }

    EndOfMessage run() throws IOException {
        if (alreadyEnveloped(message.headerValues("Content-Type"))) {
            // An S/MIME-aware client (an EHR module) protected it itself: encrypting twice would make it
            // unreadable for the recipient.
            return finish("already-protected", EndOfMessage.of(Verdict.ACCEPT), null);
        }
        String sender = transaction.sender().address().toLowerCase(Locale.ROOT);
        if (state.policy.settings().routingChecks() && !senderAddresses().contains(sender)) {
            return finish("sender-mismatch", EndOfMessage.of(Verdict.reject(Replies.senderMismatch(sender))), null);
        }
        List<X509Certificate> certificates = certificates();
        SpooledBody body = new SpooledBody(state.policy.spoolThreshold(), state.policy.temporaryDirectory());
        boolean handedOver = false;
        try {
            Protected result;
            try (InputStream in = withMissingHeaders()) {
                result = state.policy.protector().protect(in, state.signer().orElseThrow(
                        () -> new IllegalStateException("outgoing message without a signer")), certificates,
                        body.asOutputStream());
            } catch (ProtectException e) {
                return finish("cannot-protect", EndOfMessage.of(Verdict.reject(Replies.cannotProtect(e.getMessage()))),
                        null);
            }
            // Earlier hops' trace fields stay outside, as RFC 5321 requires; they name hosts, not content.
            List<Modification> changes = new ArrayList<>(HeaderRewrite.replace(message.headers(),
                    HeaderRewrite::isTrace, result.outerHeaders().stream().map(HeaderRewrite::fromEngine).toList()));
            changes.add(new Modification.ReplaceBody(body));
            EndOfMessage accepted = new EndOfMessage(Verdict.ACCEPT, changes);
            handedOver = true; // the session deletes the spool once the new body is sent
            return finish("protected", accepted, result);
        } finally {
            if (!handedOver) {
                body.close();
            }
        }
    }

    private EndOfMessage finish(String outcome, EndOfMessage result, Protected protectedWith) {
        AuditLine line = AuditLine.of("outgoing", message, outcome, result);
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
        Set<String> out = new LinkedHashSet<>();
        for (String name : List.of("From", "Sender")) {
            message.headerValues(name).forEach(v -> out.addAll(Mailboxes.parse(v)));
        }
        return out;
    }

    /**
     * The message with Date and Message-ID added when the client left them out: inside the signature,
     * so the outer Message-ID the MTA would otherwise invent still equals the inner one.
     */
    private InputStream withMissingHeaders() throws IOException {
        StringBuilder added = new StringBuilder();
        if (message.headerValues("Date").isEmpty()) {
            added.append("Date: ").append(DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now())).append("\r\n");
        }
        if (message.headerValues("Message-ID").isEmpty()) {
            added.append("Message-ID: <").append(UUID.randomUUID()).append('@').append(transaction.sender().domain())
                    .append(">\r\n");
        }
        InputStream original = message.openStream();
        return added.length() == 0 ? original
                : new SequenceInputStream(new ByteArrayInputStream(added.toString().getBytes(StandardCharsets.US_ASCII)),
                        original);
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
