package org.directmilter.milter.policy;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.directmilter.crypto.keys.KeyStoreException;
import org.directmilter.crypto.keys.Pkcs12DirectoryKeyStore;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.smime.ProtectOptions;
import org.directmilter.crypto.smime.Protector;
import org.directmilter.crypto.smime.UnprotectOptions;
import org.directmilter.crypto.smime.Unprotector;
import org.directmilter.crypto.trust.AnchorSource;
import org.directmilter.crypto.trust.TrustValidator;
import org.directmilter.milter.config.ConfigKeys;
import org.directmilter.milter.config.DiscoverySettings;
import org.directmilter.milter.config.FailureAction;
import org.directmilter.milter.config.MilterConfig;
import org.directmilter.milter.config.TrustConfig;
import org.directmilter.milter.policy.MessageState.Route;
import org.directmilter.milter.session.EndOfMessage;
import org.directmilter.milter.session.EnvelopeAddress;
import org.directmilter.milter.session.MacroRequests;
import org.directmilter.milter.session.Message;
import org.directmilter.milter.session.MessageHandler;
import org.directmilter.milter.session.Transaction;
import org.directmilter.milter.session.Verdict;
import org.directmilter.resolver.CertificateDiscovery;
import org.directmilter.resolver.DiscoveredCertificate;
import org.directmilter.resolver.DiscoveryResult;
import org.directmilter.resolver.ResolverSettings;
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

    private final AnchorSource anchors;
    private final AtomicReference<DirectPolicy> current = new AtomicReference<>();

    private DirectHandler(AnchorSource anchors, DirectPolicy policy) {
        this.anchors = anchors;
        current.set(policy);
    }

    @Override
    public MacroRequests macros() {
        return MACROS;
    }

    /** A handler judging with {@code config}; {@code anchors} is consulted live (it reloads on its own). */
    public static DirectHandler create(MilterConfig config, AnchorSource anchors) {
        return new DirectHandler(anchors, policy(config, anchors, null));
    }

    /**
     * Applies a reloaded configuration to messages that start from now on. The discovery cache is kept
     * unless the resolver's settings changed.
     */
    public void reload(MilterConfig config) {
        current.set(policy(config, anchors, current.get()));
    }

    static DirectPolicy policy(MilterConfig config, AnchorSource anchors, DirectPolicy previous) {
        ResolverSettings resolver = DiscoverySettings.from(config);
        CertificateDiscovery discovery = previous != null && previous.resolverSettings().equals(resolver)
                ? previous.discovery() : CertificateDiscovery.create(resolver);
        ProtectOptions protect = new ProtectOptions(config.get(ConfigKeys.CONTENT_CIPHER),
                config.get(ConfigKeys.KEY_TRANSPORT));
        UnprotectOptions unprotect = new UnprotectOptions(config.get(ConfigKeys.ALLOW_TRIPLE_DES),
                config.get(ConfigKeys.SPOOL_THRESHOLD), config.get(ConfigKeys.TEMPORARY_DIRECTORY));
        return new DirectPolicy(PolicySettings.from(config), new Pkcs12DirectoryKeyStore(config.get(ConfigKeys.KEY_STORE)),
                new TrustValidator(anchors, TrustConfig.settings(config)), resolver, discovery,
                new Protector(protect), new Unprotector(unprotect), config.get(ConfigKeys.SPOOL_THRESHOLD),
                config.get(ConfigKeys.TEMPORARY_DIRECTORY));
    }

    /** For tests: a handler over a policy assembled by hand. */
    static DirectHandler of(AnchorSource anchors, DirectPolicy policy) {
        return new DirectHandler(anchors, policy);
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
            log.error("key store: {}", e.getMessage());
            Verdict verdict = Outcomes.atEnvelope(settings.actions().internalError(), Replies.internalError());
            audit("sender", transaction, "key-store-error", verdict).with("reason", e.getMessage()).log();
            return verdict;
        }
        if (keys.isEmpty()) {
            Verdict verdict = Outcomes.atEnvelope(settings.actions().noSenderKey(), Replies.noSenderKey(sender));
            audit("sender", transaction, "no-sender-key", verdict).log();
            return verdict;
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
            audit("recipient", transaction, "untrusted-client", verdict).with("rcpt", recipient.address())
                    .with("client", transaction.client().address()).log();
            return verdict;
        }
        if (transaction.recipients().isEmpty()) {
            state.route(wanted);
        } else if (state.route().orElse(wanted) != wanted) {
            // One message has one body: protected, verified or untouched. Postfix sends a 452'd recipient
            // again in a later transaction of its own.
            Verdict verdict = Verdict.tempfail(Replies.separateTransaction(recipient.address()));
            audit("recipient", transaction, "separate-transaction", verdict).with("rcpt", recipient.address()).log();
            return verdict;
        }
        if (wanted == Route.OUTGOING) {
            return outgoingRecipient(transaction, state, recipient.address());
        }
        if (wanted == Route.PASS && settings.actions().nonDirect() == FailureAction.REJECT) {
            Verdict verdict = Verdict.reject(Replies.nonDirect());
            audit("recipient", transaction, "non-direct", verdict).with("rcpt", recipient.address()).log();
            return verdict;
        }
        return Verdict.CONTINUE;
    }

    private Verdict outgoingRecipient(Transaction transaction, MessageState state, String recipient) {
        DirectPolicy policy = state.policy;
        PolicySettings.FailureActions actions = policy.settings().actions();
        VerdictRecorder recorder = new VerdictRecorder(policy.validator(), recipient, transaction.sender().domain());
        DiscoveryResult result;
        try {
            result = policy.discovery().discover(recipient, recorder);
        } catch (IllegalArgumentException e) {
            Verdict verdict = Verdict.reject(Replies.badAddress(recipient));
            audit("recipient", transaction, "bad-address", verdict).with("rcpt", recipient).log();
            return verdict;
        }
        if (result instanceof DiscoveryResult.Found found) {
            List<DiscoveredCertificate> usable = found.usable();
            state.addRecipient(new MessageState.Recipient(recipient,
                    usable.stream().map(DiscoveredCertificate::certificate).toList(),
                    usable.stream().map(d -> recorder.verdictFor(d.certificate())).toList(),
                    usable.get(0).source()));
            audit("recipient", transaction, "usable", Verdict.CONTINUE).with("rcpt", recipient)
                    .with("binding", found.binding().name().toLowerCase(java.util.Locale.ROOT))
                    .with("source", usable.get(0).source())
                    .with("certs", String.join(" ", usable.stream()
                            .map(d -> CertificateIdentity.describe(recorder.verdictFor(d.certificate()))).toList()))
                    .log();
            return Verdict.CONTINUE;
        }
        Verdict verdict;
        String outcome;
        String reason;
        if (result instanceof DiscoveryResult.FoundNoneUsable none) {
            reason = recorder.refusals().isEmpty() ? "the certificates published could not be read" : recorder.refusals();
            String why = recorder.refusals().isEmpty() ? reason : recorder.publicRefusals();
            // Revocation status unknown (On-RevocationUnknown tempfail): the sender retries later.
            boolean temporary = recorder.allTemporary();
            verdict = Outcomes.atEnvelope(temporary ? FailureAction.TEMPFAIL : actions.untrusted(),
                    Replies.untrustedRecipient(recipient, why));
            outcome = temporary ? "revocation-unknown" : "untrusted";
        } else if (result instanceof DiscoveryResult.NotFound) {
            reason = "no certificate published";
            verdict = Outcomes.atEnvelope(actions.noCertificate(), Replies.noCertificate(recipient));
            outcome = "no-certificate";
        } else {
            reason = ((DiscoveryResult.TemporaryFailure) result).reason();
            verdict = Outcomes.atEnvelope(actions.dnsError(), Replies.dnsFailure(recipient, reason));
            outcome = "dns-error";
        }
        audit("recipient", transaction, outcome, verdict).with("rcpt", recipient).with("reason", reason).log();
        return verdict;
    }

    @Override
    public EndOfMessage endOfMessage(Message message) {
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
            audit(route == Route.LOCAL_PLAIN ? "outgoing" : "pass", transaction,
                    route == Route.LOCAL_PLAIN ? "local-unprotected" : "passed", Verdict.ACCEPT)
                    .with("rcpt", String.join(",", transaction.recipients().stream().map(EnvelopeAddress::address).toList()))
                    .log();
            return EndOfMessage.of(Verdict.ACCEPT);
        } catch (Exception | StackOverflowError e) {
            // A stack overflow is what a maliciously deep MIME structure produces: still this message's fault
            // alone, so it gets the configured internal-error answer rather than the session's generic one.
            log.error("internal error at end of message (queue id {})", transaction.queueId().orElse("-"), e);
            FailureAction action = state.policy.settings().actions().internalError();
            if (action == FailureAction.QUARANTINE && route == Route.OUTGOING) {
                // Released from the hold queue, a quarantined outgoing message would leave in plaintext.
                action = FailureAction.TEMPFAIL;
            }
            EndOfMessage result = Outcomes.atEndOfMessage(action, Replies.internalError());
            audit(route.name().toLowerCase(java.util.Locale.ROOT), transaction, "internal-error", result.verdict())
                    .with("reason", e.getClass().getSimpleName() + ": " + e.getMessage()).log();
            return result;
        }
    }

    /** The fields every audit line starts with; a decision that answers nothing (a removed recipient) has no reply. */
    static AuditLine audit(String event, Transaction transaction, String outcome, Verdict verdict) {
        return AuditLine.of(event).with("queue", transaction.queueId().orElse(null))
                .with("from", transaction.sender().address().isEmpty() ? "<>" : transaction.sender().address())
                .with("outcome", outcome).with("reply", verdict == null ? null : Outcomes.describe(verdict));
    }
}
