package org.directmilter.crypto.smime;

import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The verdict on an incoming message: {@link Verified}, or one {@link Failure} naming why not. Every
 * failure has a {@link Failure#reason()} fit for an SMTP reply text or an audit line (no PHI, no key
 * material).
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
            permits NotSmime, NoKey, Corrupt, Unsigned, BadSignature, WeakAlgorithm, MalformedMime {
        String reason();
    }

    /** Not an encrypted S/MIME message at all (plain text, or signed but not encrypted). */
    record NotSmime(String reason) implements Failure {
    }

    /** Encrypted, but to none of the keys we were given. */
    record NoKey(String reason) implements Failure {
    }

    /** The base64 or the CMS structure is damaged, or decryption failed (padding, GCM tag). */
    record Corrupt(String reason) implements Failure {
    }

    /** Decrypted, but there is no signature inside. */
    record Unsigned(String reason) implements Failure {
    }

    /** A signature does not verify: the content or the signature was altered, or a signer is missing. */
    record BadSignature(String reason) implements Failure {
    }

    /** An algorithm or key size the policy refuses (MD5, SHA-1, RSA below 2048 bits, RC2/DES/3DES). */
    record WeakAlgorithm(String reason) implements Failure {
    }

    /** The MIME structure is not what it claims to be (no boundary, missing parts, bad encodings). */
    record MalformedMime(String reason) implements Failure {
    }
}
