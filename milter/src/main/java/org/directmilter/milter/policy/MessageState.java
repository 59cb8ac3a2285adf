package org.directmilter.milter.policy;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.directmilter.crypto.keys.PrivateKeyEntry;
import org.directmilter.crypto.trust.ValidationResult;
import org.directmilter.milter.session.Transaction;

/** What the policy learnt about one message between MAIL and end of data. */
final class MessageState {

    static final Transaction.Key<MessageState> KEY = new Transaction.Key<>("direct-policy", MessageState.class);

    /** Which way the message goes; decided at MAIL (outgoing) or at the first recipient. */
    enum Route {
        /** From a local sender the client may send for: protect at end of data. */
        OUTGOING,
        /** Outgoing, but to local recipients only and ProtectLocal is off: delivered as is. */
        LOCAL_PLAIN,
        /** To local recipients from elsewhere: unprotect and verify at end of data. */
        INCOMING,
        /** Neither from nor to a local Direct domain. */
        PASS
    }

    /** The certificates a recipient will be encrypted to, and the verdicts that made them usable. */
    record Recipient(String address, List<X509Certificate> certificates, List<ValidationResult> verdicts, String source) {
        Recipient {
            certificates = List.copyOf(certificates);
            verdicts = List.copyOf(verdicts);
        }
    }

    final DirectPolicy policy;
    final boolean senderMaySend;
    private Route route;
    private PrivateKeyEntry signer;
    private final Map<String, Recipient> recipients = new LinkedHashMap<>();

    MessageState(DirectPolicy policy, boolean senderMaySend) {
        this.policy = policy;
        this.senderMaySend = senderMaySend;
    }

    Optional<Route> route() {
        return Optional.ofNullable(route);
    }

    void route(Route decided) {
        route = decided;
    }

    Optional<PrivateKeyEntry> signer() {
        return Optional.ofNullable(signer);
    }

    void signer(PrivateKeyEntry entry) {
        signer = entry;
    }

    void addRecipient(Recipient recipient) {
        recipients.put(recipient.address().toLowerCase(java.util.Locale.ROOT), recipient);
    }

    Optional<Recipient> recipient(String address) {
        return Optional.ofNullable(recipients.get(address.toLowerCase(java.util.Locale.ROOT)));
    }

    List<Recipient> recipients() {
        return new ArrayList<>(recipients.values());
    }
}
