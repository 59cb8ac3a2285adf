package org.directmilter.milter.policy;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import org.directmilter.crypto.keys.KeyStoreException;
import org.directmilter.crypto.keys.KeyUnavailableException;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.text.LogSafe;
import org.directmilter.milter.config.FailureAction;
import org.directmilter.milter.metrics.Metrics;
import org.directmilter.milter.policy.MessageState.Route;
import org.directmilter.milter.session.EndOfMessage;
import org.directmilter.milter.session.EnvelopeAddress;
import org.directmilter.milter.session.MacroRequests;
import org.directmilter.milter.session.Message;
import org.directmilter.milter.session.MessageHandler;
import org.directmilter.milter.session.Transaction;
import org.directmilter.milter.session.Verdict;
import org.directmilter.resolver.DiscoveredCertificate;
import org.directmilter.resolver.DiscoveryResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Direct Security/Trust Agent as a milter handler. Outgoing mail (a local sender the client may
 * send for) has its recipients' certificates discovered and judged at RCPT and is protected at end of
 * data; incoming mail (to local recipients) is unprotected and its signer judged by each recipient
 * domain's anchors at end of data. Every outcome is an SMTP reply and an audit line; every doubt is a
 * tempfail, and plaintext never leaves because something went wrong.
 */
public final class DirectHandler implements MessageHandler {

    private static final Logger log = LoggerFactory.getLogger(DirectHandler.class);

    /**
     * What the policy reads ("i" for the audit's queue id, {auth_authen} and {daemon_name} for the
     * direction of a message) and what the log's session context shows.
     */
    private static final MacroRequests MACROS = MacroRequests.none()
            .atConnect("j", "_", "{daemon_name}", "{daemon_addr}", "{daemon_port}", "{client_addr}", "{client_name}")
            .atHelo("{tls_version}", "{cipher}", "{cert_subject}", "{cert_issuer}")
            .atMail("i", "{auth_type}", "{auth_authen}", "{auth_author}", "{mail_addr}", "{mail_host}", "{mail_mailer}")
            .atRecipient("i", "{rcpt_addr}", "{rcpt_host}", "{rcpt_mailer}")
            .atEndOfHeaders("i")
            .atEndOfMessage("i", "{msg_id}");

    private final AtomicReference<DirectPolicy> current;

    private DirectHandler(DirectPolicy policy) {
        current = new AtomicReference<>(policy);
    }

    /** A handler judging with {@code policy} until {@link #replace} hands it another. */
    public static DirectHandler create(DirectPolicy policy) {
        return new DirectHandler(policy);
    }

    /** The policy messages that start now are judged with. */
    public DirectPolicy policy() {
        return current.get();
    }

    /** A reload: messages that start from now on are judged with {@code policy}; those in flight keep theirs. */
    public void replace(DirectPolicy policy) {
        current.set(policy);
    }

    @Override
    public MacroRequests macros() {
        return MACROS;
    }

    @Override
    public Verdict mail(Transaction transaction) {
        DirectPolicy policy = current.get();
        PolicySettings settings = policy.settings();
        boolean outgoing = settings.isLocal(transaction.sender().domain()) && settings.trustedClient(transaction);
        MessageState state = new MessageState(policy, outgoing);
        transaction.put(MessageState.KEY, state);
        if (!outgoing) {
            return Verdict.CONTINUE;
        }
        String sender = transaction.sender().address();
        List<PrivateKeyEntry> keys;
        try {
            keys = policy.keys().keysFor(sender);
        } catch (IllegalArgumentException e) {
            keys = List.of(); // an address no key file can be named after has no key
        } catch (KeyStoreException e) {
            log.error("key store: {}", LogSafe.escape(e.getMessage()));
            return refuse("sender", transaction, new Outcome("key-store-error", settings.actions().internalError(),
                    Replies.internalError(), e.getMessage()), null);
        }
        if (keys.isEmpty()) {
            return refuse("sender", transaction, new Outcome("no-sender-key", settings.actions().noSenderKey(),
                    Replies.noSenderKey(sender), null), null);
        }
        state.signer(keys.get(0));
        return Verdict.CONTINUE;
    }

    @Override
    public Verdict recipient(Transaction transaction, EnvelopeAddress recipient) {
        MessageState state = transaction.get(MessageState.KEY).orElseThrow(
                () -> new IllegalStateException("RCPT without MAIL"));
        PolicySettings settings = state.policy.settings();
        boolean local = settings.isLocal(recipient.domain());
        Route wanted;
        if (state.senderMaySend) {
            wanted = local && !settings.protectLocal() ? Route.LOCAL_PLAIN : Route.OUTGOING;
        } else {
            wanted = local ? Route.INCOMING : Route.PASS;
        }
        if (wanted == Route.PASS && settings.isLocal(transaction.sender().domain())) {
            // A local Direct sender from a client that may not send for it: relaying it would let the
            // message leave unprotected, and it may be forged.
            Verdict verdict = Verdict.reject(Replies.untrustedClient(transaction.sender().address()));
            AuditLine.of("recipient", transaction, "untrusted-client", verdict).with("rcpt", recipient.address())
                    .with("client", transaction.client().address()).log();
            return verdict;
        }
        String reports = settings.incomingEnvelopeSender();
        if (!reports.isEmpty() && recipient.address().equalsIgnoreCase(reports) && !settings.trustedClient(transaction)) {
            // The MTA's delivery reports to this address become signed MDNs (direct-milter notify): a
            // stranger's forged report must not make a local user "confirm" anything.
            return refuse("recipient", transaction, Outcome.rejected("notification-address",
                    Replies.notificationAddress(recipient.address())), recipient.address());
        }
        if (transaction.recipients().isEmpty()) {
            state.route(wanted);
        } else if (state.route().orElse(wanted) != wanted) {
            // One message has one body: protected, verified or untouched. Postfix sends a 452'd recipient
            // again in a later transaction of its own.
            return refuse("recipient", transaction, new Outcome("separate-transaction", FailureAction.TEMPFAIL,
                    Replies.separateTransaction(recipient.address()), null), recipient.address());
        }
        if (wanted == Route.OUTGOING) {
            return outgoingRecipient(transaction, state, recipient.address(), transaction.sender().domain());
        }
        if (wanted == Route.PASS && settings.actions().nonDirect() == FailureAction.REJECT
                && !settings.trustedClient(transaction)) {
            // From a trusted client the message may still be ours by its From: (a null-sender notice, a
            // local program's sendmail -t): that is known at end of data, where it is refused otherwise.
            return refuse("recipient", transaction, Outcome.rejected("non-direct", Replies.nonDirect()),
                    recipient.address());
        }
        return Verdict.CONTINUE;
    }

    /**
     * Discovers and judges an outgoing recipient's certificates by the outgoing anchors of
     * {@code senderDomain}, keeping the usable ones in {@code state}.
     */
    static Verdict outgoingRecipient(Transaction transaction, MessageState state, String recipient, String senderDomain) {
        DirectPolicy policy = state.policy;
        PolicySettings.FailureActions actions = policy.settings().actions();
        VerdictRecorder recorder = new VerdictRecorder(policy.validator(), recipient, senderDomain);
        DiscoveryResult result;
        try {
            result = policy.discovery().discover(recipient, recorder);
        } catch (IllegalArgumentException e) {
            return refuse("recipient", transaction, Outcome.rejected("bad-address", Replies.badAddress(recipient)),
                    recipient);
        }
        if (result instanceof DiscoveryResult.Found found) {
            List<DiscoveredCertificate> usable = found.usable();
            state.addRecipient(new MessageState.Recipient(recipient,
                    usable.stream().map(DiscoveredCertificate::certificate).toList(),
                    usable.stream().map(d -> recorder.verdictFor(d.certificate())).toList(),
                    usable.get(0).source()));
            AuditLine.of("recipient", transaction, "usable", Verdict.CONTINUE).with("rcpt", recipient)
                    .with("binding", found.binding().name().toLowerCase(java.util.Locale.ROOT))
                    .with("source", usable.get(0).source())
                    .with("certs", String.join(" ", usable.stream()
                            .map(d -> CertificateIdentity.describe(recorder.verdictFor(d.certificate()))).toList()))
                    .log();
            return Verdict.CONTINUE;
        }
        return refuse("recipient", transaction, unreachable(result, recipient, recorder, actions), recipient);
    }

    /** The outcome for a recipient without a usable certificate: one per kind of discovery result. */
    private static Outcome unreachable(DiscoveryResult result, String recipient, VerdictRecorder recorder,
                                       PolicySettings.FailureActions actions) {
        if (result instanceof DiscoveryResult.FoundNoneUsable) {
            String reason = recorder.refusals().isEmpty() ? "the certificates published could not be read"
                    : recorder.refusals();
            String why = recorder.refusals().isEmpty() ? reason : recorder.publicRefusals();
            // Revocation status unknown (On-RevocationUnknown tempfail): the sender retries later.
            boolean temporary = recorder.allTemporary();
            return new Outcome(temporary ? "revocation-unknown" : "untrusted",
                    temporary ? FailureAction.TEMPFAIL : actions.untrusted(), Replies.untrustedRecipient(recipient, why),
                    reason);
        }
        if (result instanceof DiscoveryResult.NotFound) {
            return new Outcome("no-certificate", actions.noCertificate(), Replies.noCertificate(recipient),
                    "no certificate published");
        }
        String why = ((DiscoveryResult.TemporaryFailure) result).reason();
        return new Outcome("dns-error", actions.dnsError(), Replies.dnsFailure(recipient, why), why);
    }

    /** Answers a refusal at MAIL or RCPT and audits it; {@code recipient} is null at MAIL. */
    private static Verdict refuse(String event, Transaction transaction, Outcome outcome, String recipient) {
        Verdict verdict = outcome.atEnvelope();
        AuditLine.of(event, transaction, outcome.name(), verdict).with("rcpt", recipient)
                .with("reason", outcome.reason()).log();
        return verdict;
    }

    /** The end-of-message work, timed for the metrics by the direction the message turned out to have. */
    @Override
    public EndOfMessage endOfMessage(Message message) {
        long start = System.nanoTime();
        try {
            return judgeEndOfMessage(message);
        } finally {
            message.transaction().get(MessageState.KEY).ifPresent(state -> Metrics.endOfMessage(
                    state.route().orElse(Route.PASS).name().toLowerCase(Locale.ROOT),
                    Duration.ofNanos(System.nanoTime() - start)));
        }
    }

    private EndOfMessage judgeEndOfMessage(Message message) {
        Transaction transaction = message.transaction();
        MessageState state = transaction.get(MessageState.KEY).orElse(null);
        if (state == null) {
            return EndOfMessage.of(Verdict.ACCEPT);
        }
        Route route = state.route().orElse(Route.PASS);
        try {
            if (route == Route.OUTGOING) {
                return new OutgoingProtection(state, message).run();
            } else if (route == Route.INCOMING) {
                return new IncomingVerification(state, message).run();
            }
            OutgoingByHeader byHeader = route == Route.PASS ? OutgoingByHeader.of(state, message) : null;
            if (byHeader != null) {
                return byHeader.run();
            }
            if (route == Route.PASS && state.policy.settings().actions().nonDirect() == FailureAction.REJECT) {
                Verdict verdict = Outcome.rejected("non-direct", Replies.nonDirect()).atEnvelope();
                AuditLine.of("pass", transaction, "non-direct", verdict).with("rcpt", AuditLine.recipients(transaction))
                        .log();
                return EndOfMessage.of(verdict);
            }
            AuditLine.of(route == Route.LOCAL_PLAIN ? "outgoing" : "pass", transaction,
                    route == Route.LOCAL_PLAIN ? "local-unprotected" : "passed", Verdict.ACCEPT)
                    .with("rcpt", AuditLine.recipients(transaction)).log();
            return EndOfMessage.of(Verdict.ACCEPT);
        } catch (KeyUnavailableException e) {
            // The key's PKCS#11 token failed (removed, out of sessions, logged out): ours and temporary, never
            // the message's fault, whatever On-InternalError says. The exception names the token, not the message.
            log.error("key store: {}", LogSafe.escape(e.getMessage()));
            EndOfMessage result = new Outcome("key-unavailable", FailureAction.TEMPFAIL, Replies.internalError(),
                    null).atEndOfMessage();
            AuditLine.of(route.name().toLowerCase(java.util.Locale.ROOT), transaction, "key-unavailable",
                    result.verdict()).with("reason", e.getMessage()).log();
            return result;
        } catch (Exception | StackOverflowError e) {
            // A stack overflow is what a maliciously deep MIME structure produces: still this message's fault
            // alone, so it gets the configured internal-error answer rather than the session's generic one.
            log.error("internal error at end of message (queue id {})", LogSafe.escape(transaction.queueId().orElse("-")), e);
            FailureAction action = state.policy.settings().actions().internalError();
            if (action == FailureAction.QUARANTINE && state.route().orElse(route) == Route.OUTGOING) {
                // Released from the hold queue, a quarantined outgoing message would leave in plaintext.
                action = FailureAction.TEMPFAIL;
            }
            EndOfMessage result = new Outcome("internal-error", action, Replies.internalError(), null).atEndOfMessage();
            AuditLine.of(route.name().toLowerCase(java.util.Locale.ROOT), transaction, "internal-error", result.verdict())
                    .with("reason", e.getClass().getSimpleName() + ": " + e.getMessage()).log();
            return result;
        }
    }
}
