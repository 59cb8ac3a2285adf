package org.directmilter.crypto.smime;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The verdict on an incoming message: {@link Verified}, or one {@link Failure} naming why not. Every
 * failure has a {@link Failure#reason()} fit for an SMTP reply text or an audit line: no byte of the
 * decrypted content, no key material.
 *
 * <p>Only what is decided from the outer structure, before anything is decrypted, gets a failure of its
 * own ({@link NotSmime}, {@link NoKey}, {@link Corrupt}, {@link WeakAlgorithm}, {@link MalformedMime}).
 * Every failure from the unwrapping of the content key onwards is one {@link NotVerified} with one
 * constant reason, whatever its cause: a reply that differed by cause would tell an outsider something
 * about the plaintext (a padding or Bleichenbacher oracle). Its {@link NotVerified#category()} is for
 * the operator's audit line only.
 */
public sealed interface UnprotectResult permits UnprotectResult.Verified, UnprotectResult.Failure {

    /**
     * Decrypted, and every signature verified over the exact bytes received. The caller owns
     * {@code message} and must close it (it may be a temporary file). Trust in {@code signers} is not
     * judged here: a validator decides that from the signer and the other {@code certificates}.
     */
    record Verified(SpooledMessage message, List<X509Certificate> signers, List<X509Certificate> certificates,
                    Algorithms algorithms) implements UnprotectResult, AutoCloseable {
        public Verified {
            signers = List.copyOf(signers);
            certificates = List.copyOf(certificates);
        }

        @Override
        public void close() {
            message.close();
        }
    }

    /** Why a message was not accepted. */
    sealed interface Failure extends UnprotectResult
            permits NotSmime, NoKey, Corrupt, WeakAlgorithm, MalformedMime, NotVerified {
        String reason();
    }

    /** Not an encrypted S/MIME message at all (plain text, or signed but not encrypted). */
    record NotSmime(String reason) implements Failure {
    }

    /** Encrypted, but to none of the keys we were given (judged by the RecipientInfo identifiers alone). */
    record NoKey(String reason) implements Failure {
    }

    /** The outer base64 or the CMS structure around the ciphertext is damaged. */
    record Corrupt(String reason) implements Failure {
    }

    /** The content encryption is one the policy refuses (RC2, DES, RC4, 3DES unless allowed). */
    record WeakAlgorithm(String reason) implements Failure {
    }

    /** The outer header block is not a header block. */
    record MalformedMime(String reason) implements Failure {
    }

    /**
     * Decryption, or anything after it, failed: always the same {@link #REASON}, whatever the cause. The
     * {@link #category()} names the cause for the operator (never for the sender): it says which step
     * failed, not what the content was.
     */
    record NotVerified(Category category) implements Failure {

        /** The one text every such failure gives. */
        public static final String REASON = "message could not be decrypted or verified";

        @Override
        public String reason() {
            return REASON;
        }
    }

    /** Which step after the unwrapping of the content key failed. */
    enum Category {
        /** The content did not decrypt: CBC padding, GCM tag, a ciphertext cut short, a key that does not fit. */
        DECRYPT,
        /** The decrypted MIME structure is broken (header block, boundary, parts, transfer encoding). */
        INNER_MIME,
        /** The decrypted signature is not a readable CMS SignedData. */
        INNER_CMS,
        /** Decrypted, but there is no signature inside. */
        UNSIGNED,
        /** A signature does not verify, or the signer's certificate is not included. */
        BAD_SIGNATURE,
        /** A digest, signature algorithm or signer key the policy refuses (MD5, SHA-1, RSA under 2048 bits). */
        WEAK_ALGORITHM;

        /** The audit spelling: lower case with hyphens, e.g. {@code bad-signature}. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }
}
