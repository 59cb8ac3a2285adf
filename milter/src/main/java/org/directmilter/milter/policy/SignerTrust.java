package org.directmilter.milter.policy;

import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.directmilter.crypto.smime.MimeHeaderField;
import org.directmilter.crypto.smime.UnprotectResult;
import org.directmilter.crypto.trust.Direction;
import org.directmilter.crypto.trust.Purpose;
import org.directmilter.crypto.trust.TrustValidator;
import org.directmilter.crypto.trust.ValidationBudget;
import org.directmilter.crypto.trust.ValidationResult;

/**
 * How the signers of a decrypted, verified message are judged for one local recipient domain: by that
 * domain's incoming anchors, bound to the inner From address. The daemon and {@code unprotect} both ask
 * here, so the offline command can never judge more kindly than the daemon.
 */
public final class SignerTrust {

    private SignerTrust() {
    }

    /**
     * The first signer {@code recipientDomain} trusts, else the refusal to report: a temporary one
     * (revocation status unknown) before a permanent one, so the sender is asked to retry rather than refused.
     */
    public static ValidationResult judge(TrustValidator validator, UnprotectResult.Verified verified,
                                         String fromAddress, String recipientDomain, ValidationBudget budget) {
        ValidationResult first = null;
        for (X509Certificate signer : verified.signers()) {
            ValidationResult v = validator.validate(signer, Purpose.SIGNING, fromAddress, recipientDomain,
                    Direction.INCOMING, verified.certificates(), budget);
            if (v.usable()) {
                return v;
            }
            first = first == null || (v.temporary() && !first.temporary()) ? v : first;
        }
        return first;
    }

    /** The addresses of the inner header fields named {@code name}, lower-cased, in order. */
    public static List<String> addresses(List<MimeHeaderField> fields, String name) {
        List<String> out = new ArrayList<>();
        fields.stream().filter(f -> f.is(name)).forEach(f -> out.addAll(Mailboxes.parse(f.unfolded())));
        return out;
    }
}
