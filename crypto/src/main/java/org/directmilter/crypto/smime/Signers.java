package org.directmilter.crypto.smime;

import java.security.cert.X509Certificate;
import java.util.List;
import org.directmilter.crypto.smime.UnprotectResult.Category;

/** The outcome of checking every SignerInfo of one signature: all verified, or why not. */
sealed interface Signers {

    /**
     * Every SignerInfo verified: {@code signers} are the certificates that verified them (one per
     * SignerInfo), {@code all} every certificate the signature carries, with the algorithms used.
     */
    record Verified(List<X509Certificate> signers, List<X509Certificate> all, List<String> digests,
                    List<String> signatures) implements Signers {
        public Verified {
            signers = List.copyOf(signers);
            all = List.copyOf(all);
            digests = List.copyOf(digests);
            signatures = List.copyOf(signatures);
        }
    }

    /** Not verified, and which step refused it. */
    record Failed(Category category) implements Signers {
    }
}
